package config

import (
	"errors"
	"strconv"
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
