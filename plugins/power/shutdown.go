package power

import (
	"context"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// shutdownArgs are guest-shutdown's arguments.
type shutdownArgs struct {
	Mode *string `json:"mode"`
}

// executable is qemu-ga's access(path, X_OK) check: for root, any execute
// bit will do.
func executable(path string) bool {
	return unix.Access(path, unix.X_OK) == nil
}

// shutdown follows qemu-ga 10.2: the mode's own binary without arguments
// when it is executable, else shutdown(8) with qemu-ga's flags, both run
// through the common runner and waited for.
func (f *family) shutdown(ctx context.Context, a shutdownArgs) (sdk.Empty, error) {
	logged := "(null)" // glibc's printf of a NULL %s
	if a.Mode != nil {
		logged = *a.Mode
	}
	f.env.Log.Info("guest-shutdown called, mode: " + logged)

	var binary, flag string
	switch {
	case a.Mode == nil || *a.Mode == "powerdown":
		binary, flag = "/sbin/poweroff", "-P"
	case *a.Mode == "halt":
		binary, flag = "/sbin/halt", "-H"
	case *a.Mode == "reboot":
		binary, flag = "/sbin/reboot", "-r"
	default:
		// sic: qemu-ga's text lacks the closing parenthesis
		return sdk.Empty{}, qapi.Errorf("mode is invalid (valid values are: halt|powerdown|reboot")
	}
	argv := []string{f.env.Path("/sbin/shutdown"), "-h", flag, "+0", "hypervisor initiated shutdown"}
	if p := f.env.Path(binary); executable(p) {
		argv = []string{p}
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	return sdk.Empty{}, runner.Run(ctx, argv, nil, "shutdown")
}
