package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/auth"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

func profileOf(u *models.User) views.Profile {
	p := views.Profile{Name: u.Name, Email: u.Email, Initials: u.Initials(), TimeZone: u.TimeZone,
		EmailVerified: u.EmailVerified(), MemberSince: u.CreatedAt}
	if u.AvatarFile != nil {
		p.AvatarURL = urls.Path(urls.Avatar, *u.AvatarFile)
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
	return redirectAfterPost(c, urls.Path(urls.SettingsProfile))
}

// uploadAvatar stores a new picture. The file is checked by its bytes before anything is written,
// and the old picture is removed only after the user's row points at the new one.
func (s *Server) uploadAvatar(c *fiber.Ctx) error {
	u := currentUser(c)
	view := s.profileForm(s.page(c, "Profile"), profileOf(u))
	data, err := readUpload(c, "avatar", auth.MaxAvatarBytes)
	if err != nil {
		return view.refuse(c, err, nil)
	}
	ctx := c.UserContext()
	name, err := s.avatars.Save(ctx, u.ID, data)
	if err != nil {
		return view.refuse(c, err, nil)
	}
	previous, err := s.accounts.SetAvatar(ctx, u.ID, name)
	if err != nil {
		s.dropAvatar(ctx, name)
		return err
	}
	s.dropAvatar(ctx, previous)
	s.flash(c, "success", "Your picture has been updated.")
	return c.Redirect(urls.Path(urls.SettingsProfile), fiber.StatusSeeOther)
}

// deleteAvatar goes back to initials.
func (s *Server) deleteAvatar(c *fiber.Ctx) error {
	ctx := c.UserContext()
	previous, err := s.accounts.SetAvatar(ctx, currentUser(c).ID, "")
	if err != nil {
		return err
	}
	s.dropAvatar(ctx, previous)
	s.flash(c, "success", "Your picture has been removed.")
	return redirectAfterPost(c, urls.Path(urls.SettingsProfile))
}

// dropAvatar removes a picture no user points at any more. The change the person asked for has
// committed already, so a failure here is logged, not shown: it leaves an unreachable row.
func (s *Server) dropAvatar(ctx context.Context, name string) {
	if name == "" {
		return
	}
	if err := s.avatars.Delete(ctx, name); err != nil {
		s.log.Warn("an old avatar was not removed", slog.String("avatar", name), slog.Any("error", err))
	}
}

// avatar serves a stored picture. Names are random and unguessable, and a name's bytes never
// change (a new picture gets a new name), so browsers may keep it a long time and revalidate by
// ETag. The bytes were checked to be an image at upload; nosniff keeps a browser from reading them
// as anything else.
func (s *Server) avatar(c *fiber.Ctx) error {
	a, err := s.avatars.Get(c.UserContext(), c.Params("name"))
	if errors.Is(err, auth.ErrNoAvatar) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=604800, immutable")
	c.Set(fiber.HeaderETag, a.ETag)
	c.Set(fiber.HeaderLastModified, a.CreatedAt.UTC().Format(http.TimeFormat))
	c.Set("Content-Security-Policy", "default-src 'none'")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), a.ETag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	return c.Send(a.Data)
}

// etagMatches reports whether an If-None-Match header names etag (weak comparison, as RFC 9110
// asks for this header; "*" matches any stored picture).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
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
