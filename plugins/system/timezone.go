package system

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path"
	"strings"
	"syscall"
	"time"
)

// timezone is GuestTimezone. glib always has an abbreviation, so zone is
// always sent (possibly "").
type timezone struct {
	Zone   string `json:"zone"`
	Offset int64  `json:"offset"`
}

// getTimezone reports the local time zone in effect now, as glib's
// g_time_zone_new_local sees it: offset in seconds east of UTC and the
// abbreviation. Unlike glib (which caches the zone for the life of the
// process) the zone is looked up on every call.
func (f *family) getTimezone(ctx context.Context) (timezone, error) {
	abbrev, offset := f.localZone().Zone(f.now())
	return timezone{Zone: abbrev, Offset: int64(offset)}, nil
}

// Zone gives the abbreviation and offset of a time zone at an instant.
type zone interface {
	Zone(t time.Time) (abbrev string, offset int)
}

type fixedZone struct {
	abbrev string
	offset int
}

func (z fixedZone) Zone(time.Time) (string, int) { return z.abbrev, z.offset }

type locationZone struct{ loc *time.Location }

func (z locationZone) Zone(t time.Time) (string, int) { return t.In(z.loc).Zone() }

// utc is glib's fallback zone.
func utc() zone { return fixedZone{abbrev: "UTC"} }

// localZone is glib 2.74's local time zone: $TZ when it is set (even to ""),
// else /etc/localtime; UTC when neither gives a usable zone.
func (f *family) localZone() zone {
	if tz, ok := f.getenv("TZ"); ok {
		if z := f.zoneForIdentifier(tz); z != nil {
			return z
		}
		return utc()
	}
	if z := f.defaultZone(); z != nil {
		return z
	}
	return utc()
}

// zoneForIdentifier is g_time_zone_new_identifier for a TZ value: a constant
// offset, a POSIX rule string, or a zoneinfo file, tried in that order.
func (f *family) zoneForIdentifier(id string) zone {
	if off, ok := parseConstantOffset(id, false); ok {
		return fixedZone{abbrev: id, offset: off}
	}
	if r, ok := parseTZRule(id); ok {
		if !r.dst {
			return fixedZone{abbrev: r.stdName, offset: r.stdOff}
		}
		if loc, err := ruleLocation(r); err == nil {
			return locationZone{loc}
		}
		return nil
	}
	name := strings.TrimPrefix(id, ":")
	file := name
	if !path.IsAbs(name) {
		dir, ok := f.getenv("TZDIR")
		if !ok {
			dir = "/usr/share/zoneinfo"
		}
		file = dir + "/" + name
	}
	return f.zoneFromFile(file)
}

// defaultZone is glib's zone for an unset TZ. glib reads /etc/localtime only
// when it can name the zone: /etc/localtime must be a symlink to a regular
// file, or a regular file itself with /var/db/zoneinfo or /etc/timezone
// present (their content is not used). Otherwise glib says UTC.
func (f *family) defaultZone() zone {
	const localtime = "/etc/localtime"
	named := false
	target, err := os.Readlink(f.env.Path(localtime))
	switch {
	case err == nil:
		if !path.IsAbs(target) {
			target = path.Join("/etc", target)
		}
		if st, err := os.Lstat(f.env.Path(target)); err == nil {
			if !st.Mode().IsRegular() {
				named = f.readable("/var/db/zoneinfo") || f.readable("/etc/timezone")
			} else {
				named = true
			}
		}
	case errors.Is(err, syscall.EINVAL): // not a symlink
		named = f.readable("/var/db/zoneinfo") || f.readable("/etc/timezone")
	}
	if !named {
		return nil
	}
	return f.zoneFromFile(localtime)
}

func (f *family) readable(p string) bool {
	_, err := f.readFile(p)
	return err == nil
}

// zoneFromFile loads a TZif file; nil when it is missing or not TZif.
func (f *family) zoneFromFile(p string) zone {
	data, err := f.readFile(p)
	if err != nil {
		return nil
	}
	loc, err := time.LoadLocationFromTZData(p, data)
	if err != nil {
		return nil
	}
	return locationZone{loc}
}

// ruleLocation builds a time.Location that evaluates a POSIX DST rule: a
// TZif file with no transitions whose footer is the rule. Go applies the
// footer to every instant after the last transition, i.e. always.
func ruleLocation(r tzRule) (*time.Location, error) {
	return time.LoadLocationFromTZData(r.stdName, tzifWithFooter(r.posix()))
}

// tzifWithFooter returns a version 2 TZif file (RFC 8536) with one local
// time type (UTC), no transitions, and the given TZ string as footer.
func tzifWithFooter(footer string) []byte {
	header := func(b []byte) []byte {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []uint32{0, 0, 0, 0, 1, 4} {
			b = binary.BigEndian.AppendUint32(b, n)
		}
		return b
	}
	// utoff 0, isdst 0, abbreviation index 0; then the abbreviation
	// characters.
	data := []byte{0, 0, 0, 0, 0, 0, 'U', 'T', 'C', 0}
	var b []byte
	b = header(b)
	b = append(b, data...) // version 1 block
	b = header(b)
	b = append(b, data...) // version 2 block (no 64-bit times to add)
	b = append(b, '\n')
	b = append(b, footer...)
	return append(b, '\n')
}
