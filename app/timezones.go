package app

import "slices"

// commonTimeZones are offered in the profile's time-zone list: the markets' own, then the places
// most traders live. Any valid IANA zone a user already has is kept in the list.
func commonTimeZones() []string {
	return []string{
		"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
		"America/Anchorage", "Pacific/Honolulu", "America/Toronto", "America/Vancouver", "America/Mexico_City",
		"America/Sao_Paulo", "America/Buenos_Aires", "Europe/London", "Europe/Dublin", "Europe/Lisbon",
		"Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Zurich",
		"Europe/Stockholm", "Europe/Warsaw", "Europe/Athens", "Europe/Istanbul", "Europe/Moscow",
		"Africa/Johannesburg", "Africa/Lagos", "Africa/Cairo", "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata",
		"Asia/Dhaka", "Asia/Bangkok", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Taipei",
		"Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland", "UTC",
	}
}

// timeZones is the list for the select, including current if it is not a common one.
func timeZones(current string) []string {
	zones := commonTimeZones()
	if current != "" && !slices.Contains(zones, current) {
		zones = append([]string{current}, zones...)
	}
	return zones
}
