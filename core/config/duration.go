package config

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// parseDuration reads qgad's duration settings: Go syntax ("90s", "5m") or
// a bare number of seconds; never negative.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, errors.New("negative duration")
	}
	return d, nil
}

// formatDuration is time.Duration.String without zero trailing units
// ("5m", "1h", "1m30s" rather than "5m0s", "1h0m0s"); parseDuration reads it back.
func formatDuration(d time.Duration) string {
	s := d.String()
	for _, z := range []string{"0s", "0m"} {
		if len(s) > len(z) && strings.HasSuffix(s, z) && s[len(s)-len(z)-1] >= 'a' {
			s = s[:len(s)-len(z)]
		}
	}
	return s
}
