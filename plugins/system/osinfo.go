package system

import (
	"context"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// osInfo is GuestOSInfo; every member is optional.
type osInfo struct {
	KernelRelease *string `json:"kernel-release,omitempty"`
	KernelVersion *string `json:"kernel-version,omitempty"`
	Machine       *string `json:"machine,omitempty"`
	ID            *string `json:"id,omitempty"`
	Name          *string `json:"name,omitempty"`
	PrettyName    *string `json:"pretty-name,omitempty"`
	Version       *string `json:"version,omitempty"`
	VersionID     *string `json:"version-id,omitempty"`
	Variant       *string `json:"variant,omitempty"`
	VariantID     *string `json:"variant-id,omitempty"`
}

// osReleaseEnv names a file to read instead of /etc/os-release.
const osReleaseEnv = "QGA_OS_RELEASE"

// getOSInfo reports uname(2) and the identification keys of os-release(5).
func (f *family) getOSInfo(ctx context.Context) (osInfo, error) {
	var info osInfo
	release, version, machine, err := f.uname()
	if err != nil {
		return osInfo{}, errorWithErrno(errnoOf(err), "uname failed")
	}
	info.KernelRelease, info.KernelVersion, info.Machine = &release, &version, &machine

	var keys map[string]string
	if p, ok := f.getenv(osReleaseEnv); ok {
		keys = f.loadOSRelease(p)
	} else if keys = f.loadOSRelease("/etc/os-release"); keys == nil {
		keys = f.loadOSRelease("/usr/lib/os-release")
	}
	if keys == nil {
		return info, nil
	}
	for _, m := range []struct {
		key string
		dst **string
	}{
		{"ID", &info.ID},
		{"NAME", &info.Name},
		{"PRETTY_NAME", &info.PrettyName},
		{"VERSION", &info.Version},
		{"VERSION_ID", &info.VersionID},
		{"VARIANT", &info.Variant},
		{"VARIANT_ID", &info.VariantID},
	} {
		if v, ok := keys[m.key]; ok {
			v = osReleaseValue(v)
			*m.dst = &v
		}
	}
	return info, nil
}

// loadOSRelease reads and parses an os-release file, or returns nil (with a
// log line, as qemu-ga's slog) when it is unreadable or not a valid key file.
func (f *family) loadOSRelease(path string) map[string]string {
	data, err := f.readFile(path)
	if err != nil {
		f.env.Log.Info("failed to read os-release file", "path", path, "error", err)
		return nil
	}
	keys, err := parseOSRelease(data)
	if err != nil {
		f.env.Log.Info("failed to parse os-release file", "path", path, "error", err)
		return nil
	}
	return keys
}

// uname returns uname(2)'s release, version and machine. Under a test root
// release and version come from the root's proc/sys/kernel/{osrelease,version}
// (the files the kernel serves the same strings in); machine stays the real
// one.
func (f *family) uname() (release, version, machine string, err error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", "", "", err
	}
	release = unix.ByteSliceToString(u.Release[:])
	version = unix.ByteSliceToString(u.Version[:])
	machine = unix.ByteSliceToString(u.Machine[:])
	if f.live() {
		return release, version, machine, nil
	}
	if release, err = f.readKernelString("osrelease"); err != nil {
		return "", "", "", err
	}
	if version, err = f.readKernelString("version"); err != nil {
		return "", "", "", err
	}
	return release, version, machine, nil
}

func (f *family) readKernelString(name string) (string, error) {
	b, err := os.ReadFile(f.env.Path("/proc/sys/kernel/" + name))
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}
