package users

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

// passwdPath is the user database read instead of getpwnam(3), which would
// need cgo. NSS sources other than "files" (LDAP, sssd) are not consulted.
const passwdPath = "/etc/passwd"

// passwdEntry is the part of a passwd(5) entry the key commands use.
type passwdEntry struct {
	Name string
	UID  uint32
	GID  uint32
	Dir  string
}

// lookupUser finds name in the passwd file at path and returns qemu-ga's
// error text when it can't: glibc reports an unknown user with errno 0, so
// glib's message is strerror(0), "Success".
func lookupUser(path, name string) (passwdEntry, error) {
	name = cstr(name)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return passwdEntry{}, qapi.Errorf("failed to lookup user '%s': %s", name, runner.ErrText(err))
	}
	if e, ok := findPasswdEntry(data, name); ok {
		return e, nil
	}
	return passwdEntry{}, qapi.Errorf("failed to lookup user '%s': Success", name)
}

// findPasswdEntry scans passwd data like glibc's nss_files backend: leading
// blanks skipped, empty and '#' lines ignored, malformed lines skipped, the
// first matching name wins, and names starting with '+' or '-' (NIS compat
// entries) never match.
func findPasswdEntry(data []byte, name string) (passwdEntry, bool) {
	if strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-") {
		return passwdEntry{}, false
	}
	// Split on '\n' only: glibc keeps a '\r' as part of the last field.
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimLeft(line, " \t\v\f\r")
		if line == "" || line[0] == '#' {
			continue
		}
		e, err := parsePasswdLine(line)
		if err != nil || e.Name != name {
			continue
		}
		return e, true
	}
	return passwdEntry{}, false
}

// parsePasswdLine parses name:passwd:uid:gid:gecos:dir:shell; as in glibc,
// missing trailing fields are empty but uid and gid must be numbers.
func parsePasswdLine(line string) (passwdEntry, error) {
	f := strings.SplitN(line, ":", 7)
	if len(f) < 4 {
		return passwdEntry{}, fmt.Errorf("passwd line %q: too few fields", line)
	}
	uid, err := parseID(f[2])
	if err != nil {
		return passwdEntry{}, fmt.Errorf("passwd line %q: uid: %w", line, err)
	}
	gid, err := parseID(f[3])
	if err != nil {
		return passwdEntry{}, fmt.Errorf("passwd line %q: gid: %w", line, err)
	}
	e := passwdEntry{Name: f[0], UID: uid, GID: gid}
	if len(f) > 5 {
		e.Dir = f[5]
	}
	return e, nil
}

// parseID parses a numeric id the way strtoul(3) does for these fields:
// leading blanks allowed, values truncated to 32 bits like the uid_t cast.
func parseID(s string) (uint32, error) {
	n, err := strconv.ParseUint(strings.TrimLeft(s, " \t\n\v\f\r"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parsing id %q: %w", s, err)
	}
	return uint32(n), nil
}

// cstr cuts s at its first NUL byte: qemu-ga handles every argument as a C
// string.
func cstr(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}
