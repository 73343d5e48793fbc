package users

import (
	"context"
	"github.com/qgad/qgad/internal/glibb64"
	"os"
	"path/filepath"
	"strings"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

type setPasswordArgs struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Crypted  bool   `json:"crypted"`
}

// chpasswdAction completes the runner's error texts.
const chpasswdAction = "set user password"

func (f *family) setUserPassword(ctx context.Context, a setPasswordArgs) (sdk.Empty, error) {
	raw, err := glibb64.Decode([]byte(cstr(a.Password)))
	if err != nil {
		return sdk.Empty{}, err
	}
	// qemu-ga NUL-terminates the decoded bytes and uses them as a C string.
	password := cstr(string(raw))
	if strings.Contains(password, "\n") {
		return sdk.Empty{}, qapi.Errorf("forbidden characters in raw password")
	}
	user := cstr(a.Username)
	if strings.ContainsAny(user, "\n:") {
		return sdk.Empty{}, qapi.Errorf("forbidden characters in username")
	}
	argv0, ok := f.chpasswd()
	if !ok {
		// What the runner's child reports when execvp finds nothing.
		return sdk.Empty{}, qapi.Errorf("child process has failed to %s: failed to exec 'chpasswd': No such file or directory\n", chpasswdAction)
	}
	argv := []string{argv0}
	if a.Crypted {
		argv = append(argv, "-e")
	}
	if err := runner.Run(ctx, argv, []byte(user+":"+password+"\n"), chpasswdAction); err != nil {
		return sdk.Empty{}, err
	}
	return sdk.Empty{}, nil
}

// chpasswd returns the program to run. On the real system it is the bare
// name, looked up in PATH by the runner like qemu-ga's execvp. Under a test
// root only the root's own sbin and bin directories are searched, so a test
// can never reach the machine's real chpasswd.
func (f *family) chpasswd() (string, bool) {
	if f.env.Root == "" || f.env.Root == "/" {
		return "chpasswd", true
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		p := f.env.Path(filepath.Join(dir, "chpasswd"))
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}
