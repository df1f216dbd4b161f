package auth

import (
	"fmt"

	"alpacawrapper/mail"
	"alpacawrapper/models"
)

// The account e-mails. Plain text only: it renders everywhere, and every message has one link.

func verifyEmail(u *models.User, link string) mail.Message {
	return mail.Message{To: u.Email, Subject: "Confirm your e-mail address", Text: fmt.Sprintf(
		"Hello %s,\n\nConfirm your e-mail address for Alpaca Wrapper by opening this link:\n\n%s\n\n"+
			"The link works once and expires in 24 hours. If you did not sign up, ignore this message.\n", u.Name, link)}
}

func accountExistsEmail(u *models.User, baseURL string) mail.Message {
	return mail.Message{To: u.Email, Subject: "Someone tried to sign up with your address", Text: fmt.Sprintf(
		"Hello %s,\n\nSomeone, perhaps you, tried to create an Alpaca Wrapper account with this e-mail address, "+
			"but you already have one.\n\nLog in: %s/login\nForgot your password? %s/password/forgot\n\n"+
			"If it was not you, you can ignore this message: nothing has changed.\n", u.Name, baseURL, baseURL)}
}

func resetEmail(u *models.User, link string) mail.Message {
	return mail.Message{To: u.Email, Subject: "Reset your password", Text: fmt.Sprintf(
		"Hello %s,\n\nTo choose a new password for Alpaca Wrapper, open this link:\n\n%s\n\n"+
			"The link works once and expires in 15 minutes. If you did not ask for it, ignore this message: "+
			"your password has not changed.\n", u.Name, link)}
}

func passwordChangedEmail(u *models.User, baseURL string) mail.Message {
	return mail.Message{To: u.Email, Subject: "Your password was changed", Text: fmt.Sprintf(
		"Hello %s,\n\nThe password of your Alpaca Wrapper account was just changed: every other "+
			"session was signed out and every API key was revoked. Programs that used a key need a new "+
			"one: %s/settings/api-keys\n\nIf this was not you, reset your password now: %s/password/forgot\n",
		u.Name, baseURL, baseURL)}
}
