package users

import (
	"context"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

type sshGetArgs struct {
	Username string `json:"username"`
}

type sshAddArgs struct {
	Username string   `json:"username"`
	Keys     []string `json:"keys"`
	Reset    *bool    `json:"reset"`
}

type sshRemoveArgs struct {
	Username string   `json:"username"`
	Keys     []string `json:"keys"`
}

// GuestAuthorizedKeys is the result of guest-ssh-get-authorized-keys; keys
// is always present, [] when there are none.
type GuestAuthorizedKeys struct {
	Keys []string `json:"keys"`
}

// asciiSpace is what glib's g_strstrip removes (g_ascii_isspace).
const asciiSpace = " \t\n\v\f\r"

func (f *family) sshGetAuthorizedKeys(_ context.Context, a sshGetArgs) (GuestAuthorizedKeys, error) {
	u, err := lookupUser(f.env.Path(passwdPath), a.Username)
	if err != nil {
		return GuestAuthorizedKeys{}, err
	}
	_, path := f.sshPaths(u)
	data, err := readContents(path)
	if err != nil {
		return GuestAuthorizedKeys{}, qapi.Errorf("failed to read '%s': %s", path, err)
	}
	// qemu-ga prepends each key to its result list: last line first.
	lines := splitLines(data)
	keys := []string{}
	for i := len(lines) - 1; i >= 0; i-- {
		k := strings.Trim(lines[i], asciiSpace)
		if k == "" || k[0] == '#' {
			continue
		}
		keys = append(keys, k)
	}
	return GuestAuthorizedKeys{Keys: keys}, nil
}

func (f *family) sshAddAuthorizedKeys(_ context.Context, a sshAddArgs) (sdk.Empty, error) {
	tg, err := f.keysTarget(a.Username, a.Keys)
	if err != nil {
		return sdk.Empty{}, err
	}
	f.keysMu.Lock()
	defer f.keysMu.Unlock()
	var lines []string
	read := false
	if a.Reset == nil || !*a.Reset {
		// Any read failure just means "start from nothing", as in qemu-ga.
		if data, err := readContents(tg.path); err == nil {
			lines, read = splitLines(data), true
		}
	}
	if !read {
		if st, err := os.Stat(tg.sshDir); err != nil || !st.IsDir() {
			if err := mkdirForUser(tg.sshDir, tg.user); err != nil {
				return sdk.Empty{}, err
			}
		}
	}
	for _, k := range tg.keys {
		// Exact-line match, so keys added earlier in this call count too.
		if !slices.Contains(lines, k) {
			lines = append(lines, k)
		}
	}
	return sdk.Empty{}, writeAuthKeys(tg.path, lines, tg.user)
}

func (f *family) sshRemoveAuthorizedKeys(_ context.Context, a sshRemoveArgs) (sdk.Empty, error) {
	tg, err := f.keysTarget(a.Username, a.Keys)
	if err != nil {
		return sdk.Empty{}, err
	}
	f.keysMu.Lock()
	defer f.keysMu.Unlock()
	// g_file_test(G_FILE_TEST_EXISTS) is access(F_OK): nothing to remove from.
	if syscall.Access(tg.path, 0) != nil {
		return sdk.Empty{}, nil
	}
	data, err := readContents(tg.path)
	if err != nil {
		return sdk.Empty{}, qapi.Errorf("failed to read '%s': %s", tg.path, err)
	}
	// The trailing empty element of a file ending in '\n' is kept, so the
	// rewritten file keeps its final newline.
	lines := slices.DeleteFunc(splitLines(data), func(l string) bool { return slices.Contains(tg.keys, l) })
	return sdk.Empty{}, writeAuthKeys(tg.path, lines, tg.user)
}

// keysTarget is what an add or remove request acts on.
type keysTarget struct {
	keys         []string // the request's keys, checked, as C strings
	user         passwdEntry
	sshDir, path string // ~/.ssh and ~/.ssh/authorized_keys, in the root
}

// keysTarget checks an add or remove request's keys, then looks up its
// user, in qemu-ga's order.
func (f *family) keysTarget(username string, keys []string) (keysTarget, error) {
	checked, err := checkKeys(keys)
	if err != nil {
		return keysTarget{}, err
	}
	u, err := lookupUser(f.env.Path(passwdPath), username)
	if err != nil {
		return keysTarget{}, err
	}
	sshDir, path := f.sshPaths(u)
	return keysTarget{keys: checked, user: u, sshDir: sshDir, path: path}, nil
}

// sshPaths returns ~/.ssh and ~/.ssh/authorized_keys of u, mapped into the
// family's root.
func (f *family) sshPaths(u passwdEntry) (sshDir, authKeys string) {
	dir := buildFilename(u.Dir, ".ssh")
	return f.env.Path(dir), f.env.Path(buildFilename(dir, "authorized_keys"))
}

// checkKeys applies qemu-ga's sanity check to every key before anything
// else happens, and returns the keys as the C strings qemu-ga sees.
func checkKeys(keys []string) ([]string, error) {
	out := make([]string, len(keys))
	for i, k := range keys {
		k = cstr(k)
		if strings.HasPrefix(k, "#") || strings.Contains(k, "\n") {
			return nil, qapi.Errorf("invalid OpenSSH public key: '%s'", k)
		}
		out[i] = k
	}
	return out, nil
}

// splitLines splits file contents like g_strsplit(contents, "\n", -1) on
// the C string: text after a NUL byte is not seen, the empty string gives no
// element, and a trailing '\n' gives a trailing empty element.
func splitLines(data []byte) []string {
	s := cstr(string(data))
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// buildFilename joins a directory and a name like g_build_filename: the
// directory's leading slashes are kept, its trailing ones dropped, and an
// empty directory yields a relative name.
func buildFilename(dir, name string) string {
	trimmed := strings.TrimLeft(dir, "/")
	lead := dir[:len(dir)-len(trimmed)]
	trimmed = strings.TrimRight(trimmed, "/")
	if trimmed == "" {
		return lead + name
	}
	return lead + trimmed + "/" + name
}

// mkdirForUser creates ~/.ssh 0700 owned by the user.
func mkdirForUser(dir string, u passwdEntry) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return qapi.Errorf("failed to create directory '%s': %s", dir, runner.ErrText(err))
	}
	if err := os.Chown(dir, int(u.UID), int(u.GID)); err != nil {
		return qapi.Errorf("failed to set ownership of directory '%s': %s", dir, runner.ErrText(err))
	}
	// The umask may have cleared bits of the mkdir mode.
	if err := os.Chmod(dir, 0o700); err != nil {
		return qapi.Errorf("failed to set permissions of directory '%s': %s", dir, runner.ErrText(err))
	}
	return nil
}

// writeAuthKeys replaces the file with the lines joined by '\n' (no newline
// added at the end), owned by the user, mode 0600.
func writeAuthKeys(path string, lines []string, u passwdEntry) error {
	if err := setContents(path, []byte(strings.Join(lines, "\n"))); err != nil {
		return qapi.Errorf("failed to write to '%s': %s", path, err)
	}
	if err := os.Chown(path, int(u.UID), int(u.GID)); err != nil {
		// "of directory" is qemu-ga's text, although this is the file.
		return qapi.Errorf("failed to set ownership of directory '%s': %s", path, runner.ErrText(err))
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return qapi.Errorf("failed to set permissions of '%s': %s", path, runner.ErrText(err))
	}
	return nil
}
