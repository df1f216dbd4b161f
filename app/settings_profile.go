package app

import (
	"io"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/auth"
	"alpacawrapper/models"
	"alpacawrapper/views"
)

func profileOf(u *models.User) views.Profile {
	p := views.Profile{Name: u.Name, Email: u.Email, Initials: u.Initials(), TimeZone: u.TimeZone,
		EmailVerified: u.EmailVerified(), MemberSince: u.CreatedAt}
	if u.AvatarFile != nil {
		p.AvatarURL = "/avatars/" + *u.AvatarFile
	}
	return p
}

func (s *Server) profileForm(p views.Page, prof views.Profile) formView {
	zones := timeZones(prof.TimeZone)
	return formView{
		page:     func(f views.Form) templ.Component { return views.ProfilePage(p, prof, f, zones) },
		fragment: func(f views.Form) templ.Component { return views.ProfileForm(p.CSRFToken, prof, f, zones) },
	}
}

// profilePage shows the signed-in user's own profile; there is no way to ask for anyone else's.
func (s *Server) profilePage(c *fiber.Ctx) error {
	return s.profileForm(s.page(c, "Profile"), profileOf(currentUser(c))).show(c, fiber.StatusOK, views.Form{})
}

// updateProfile saves the name and time zone.
func (s *Server) updateProfile(c *fiber.Ctx) error {
	u := currentUser(c)
	values := formValues(c, "name", "time_zone")
	err := s.accounts.UpdateProfile(c.UserContext(), u.ID, values["name"], values["time_zone"])
	if err != nil {
		return s.profileForm(s.page(c, "Profile"), profileOf(u)).refuse(c, err, values)
	}
	s.flash(c, "success", "Your profile has been saved.")
	return redirectAfterPost(c, "/settings/profile")
}

// uploadAvatar stores a new picture. The file is checked by its bytes before anything is written,
// and the old picture is removed only after the database points at the new one.
func (s *Server) uploadAvatar(c *fiber.Ctx) error {
	u := currentUser(c)
	view := s.profileForm(s.page(c, "Profile"), profileOf(u))
	data, err := readUpload(c, "avatar", auth.MaxAvatarBytes)
	if err != nil {
		return view.refuse(c, err, nil)
	}
	name, err := s.avatars.Save(u.ID, data)
	if err != nil {
		return view.refuse(c, err, nil)
	}
	previous, err := s.accounts.SetAvatar(c.UserContext(), u.ID, name)
	if err != nil {
		s.avatars.Delete(name)
		return err
	}
	s.avatars.Delete(previous)
	s.flash(c, "success", "Your picture has been updated.")
	return c.Redirect("/settings/profile", fiber.StatusSeeOther)
}

// deleteAvatar goes back to initials.
func (s *Server) deleteAvatar(c *fiber.Ctx) error {
	previous, err := s.accounts.SetAvatar(c.UserContext(), currentUser(c).ID, "")
	if err != nil {
		return err
	}
	s.avatars.Delete(previous)
	s.flash(c, "success", "Your picture has been removed.")
	return redirectAfterPost(c, "/settings/profile")
}

// avatar serves a stored picture. Names are random and unguessable; the bytes were checked to be an
// image at upload, and nosniff keeps a browser from reading them as anything else.
func (s *Server) avatar(c *fiber.Ctx) error {
	path, ok := s.avatars.Path(c.Params("name"))
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set("Content-Security-Policy", "default-src 'none'")
	if err := c.SendFile(path, false); err != nil {
		return fiber.ErrNotFound
	}
	return nil
}

// readUpload reads one uploaded file, refusing a missing or oversized one with a field error.
func readUpload(c *fiber.Ctx, field string, limit int64) ([]byte, error) {
	fh, err := c.FormFile(field)
	if err != nil {
		return nil, apperr.Invalid(map[string]string{field: "Choose a picture to upload."})
	}
	if fh.Size > limit {
		return nil, apperr.Invalid(map[string]string{field: "This picture is larger than 2 MB. Choose a smaller one."})
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}
