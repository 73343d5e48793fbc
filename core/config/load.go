package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/qgad/qgad/internal/runner"
)

// settings collects values while parsing; nil pointers are qemu-ga's NULLs
// (not given), which get defaults later.
type settings struct {
	daemon, verbose, retryPath bool
	method, path, logFile      *string
	pidFile, hook, stateDir    *string
	block, allow               []string

	pluginDirs                         []string
	pluginDirsSet                      bool
	cliPluginDirs                      []string
	disabled                           []string
	sysRoot, runtimeDir, memoryLimit   *string
	callTimeout, idleStop, hookTimeout *time.Duration

	families map[string]map[string]string
}

// loadError is a failure to load the config file; notFound marks the only
// failure qemu-ga forgives when the file was not named with -c.
type loadError struct {
	msg      string
	notFound bool
}

func (e *loadError) Error() string { return e.msg }

// readKeyFile loads a key file like g_key_file_load_from_file: open errors
// are strerror texts, anything but a regular file is refused.
func readKeyFile(path string) (*keyFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &loadError{msg: runner.ErrText(err), notFound: errors.Is(err, syscall.ENOENT)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &loadError{msg: runner.ErrText(err)}
	}
	if !st.Mode().IsRegular() {
		return nil, &loadError{msg: "Not a regular file"}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, &loadError{msg: runner.ErrText(err)}
	}
	return parseKeyFile(data)
}

// firstError keeps the first error, as qemu-ga's single GError does (later
// ones only make glib warn).
type firstError struct{ err error }

func (f *firstError) add(err error) {
	if f.err == nil && err != nil {
		f.err = err
	}
}

// applyKeyFile copies the config file's settings into s in qemu-ga's order.
func applyKeyFile(kf *keyFile, s *settings) error {
	var fe firstError
	str := func(group, key string, dst **string) {
		if kf.hasKey(group, key) {
			v, err := kf.getString(group, key)
			fe.add(err)
			*dst = &v
		}
	}
	boolean := func(key string, dst *bool) {
		if kf.hasKey("general", key) {
			v, err := kf.getBoolean("general", key)
			fe.add(err)
			*dst = v
		}
	}
	list := func(key string, dst *[]string) {
		if kf.hasKey("general", key) {
			v, err := kf.getString("general", key)
			fe.add(err)
			*dst = append(*dst, splitRPCs(v)...)
		}
	}

	boolean("daemon", &s.daemon)
	str("general", "method", &s.method)
	str("general", "path", &s.path)
	str("general", "logfile", &s.logFile)
	str("general", "pidfile", &s.pidFile)
	str("general", "fsfreeze-hook", &s.hook)
	str("general", "statedir", &s.stateDir)
	if kf.hasKey("general", "verbose") {
		// Only true has an effect; false leaves the default.
		v, err := kf.getBoolean("general", "verbose")
		fe.add(err)
		s.verbose = s.verbose || v
	}
	boolean("retry-path", &s.retryPath)
	list("block-rpcs", &s.block)
	list("allow-rpcs", &s.allow)

	applyQgadGroup(kf, s, &fe)
	applyFamilyGroups(kf, s, &fe)
	return fe.err
}

// splitRPCs is qemu-ga's split_list(str, ","): g_strsplit then prepend, so
// the names come out reversed; "" gives no names, "a," gives "" and "a".
func splitRPCs(v string) []string {
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return parts
}

// splitList splits qgad's own comma lists, in order, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func applyQgadGroup(kf *keyFile, s *settings, fe *firstError) {
	const g = "qgad"
	get := func(key string) (string, bool) {
		if !kf.hasKey(g, key) {
			return "", false
		}
		v, err := kf.getString(g, key)
		fe.add(err)
		return v, err == nil
	}
	if v, ok := get("plugin-dirs"); ok {
		s.pluginDirs, s.pluginDirsSet = splitList(v), true
	}
	if v, ok := get("disable-families"); ok {
		s.disabled = splitList(v)
	}
	if v, ok := get("sysroot"); ok {
		s.sysRoot = &v
	}
	if v, ok := get("runtime-dir"); ok {
		s.runtimeDir = &v
	}
	if v, ok := get("plugin-memory-limit"); ok {
		if !validMemoryLimit(v) {
			fe.add(invalidValue("plugin-memory-limit"))
		}
		s.memoryLimit = &v
	}
	for _, d := range []struct {
		key string
		dst **time.Duration
	}{{"call-timeout", &s.callTimeout}, {"plugin-idle-stop", &s.idleStop}, {"fsfreeze-hook-timeout", &s.hookTimeout}} {
		if v, ok := get(d.key); ok {
			t, err := parseDuration(v)
			if err != nil {
				fe.add(invalidValue(d.key))
				continue
			}
			*d.dst = &t
		}
	}
}

// FamilyGroupPrefix starts the name of a family's config section.
const FamilyGroupPrefix = "family:"

func applyFamilyGroups(kf *keyFile, s *settings, fe *firstError) {
	for _, group := range kf.order {
		name, ok := strings.CutPrefix(group, FamilyGroupPrefix)
		if !ok || name == "" {
			continue
		}
		keys := kf.keys(group)
		sort.Strings(keys)
		for _, key := range keys {
			if strings.Contains(key, "[") {
				continue // a translation ("key[de]"): meaningless here
			}
			v, err := kf.getString(group, key)
			if err != nil {
				fe.add(err)
				continue
			}
			lk := strings.ToLower(key)
			if lk == "call-timeout" {
				d, err := parseDuration(v)
				if err != nil {
					fe.add(invalidValue(key))
					continue
				}
				v = formatDuration(d)
			}
			if s.families == nil {
				s.families = map[string]map[string]string{}
			}
			if s.families[name] == nil {
				s.families[name] = map[string]string{}
			}
			s.families[name][lk] = v
		}
	}
}

// validMemoryLimit accepts GOMEMLIMIT's syntax: "off", or a byte count with
// an optional B, KiB, MiB, GiB or TiB suffix.
func validMemoryLimit(v string) bool {
	if v == "off" {
		return true
	}
	for _, suffix := range []string{"KiB", "MiB", "GiB", "TiB", "B"} {
		if n, ok := strings.CutSuffix(v, suffix); ok {
			v = n
			break
		}
	}
	if v == "" {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func configLoadError(path string, err error) *ExitError {
	return &ExitError{Code: 1, Msg: fmt.Sprintf("error loading configuration from path: %s, %s", path, err.Error())}
}
