package app

import "runtime/debug"

// version is set at build time with -ldflags "-X alpacawrapper/app.version=v1.2.3"; otherwise the
// VCS revision Go embeds is used.
var version = ""

// Version describes this build: the release tag when set, else the commit (with "+dirty" for
// uncommitted changes), else "dev".
func Version() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "dev"
	}
	return rev + dirty
}
