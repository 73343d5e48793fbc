package users

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/qgad/qgad/internal/runner"
)

// The errors of this file carry glib's g_file_get_contents and
// g_file_set_contents texts, which qemu-ga embeds in its own messages.

// glibFileError is a glib GFileError message.
type glibFileError struct{ msg string }

func (e *glibFileError) Error() string { return e.msg }

func glibErr(format, path string, err error) error {
	return &glibFileError{msg: fmt.Sprintf(format, path, runner.ErrText(err))}
}

// readContents reads a whole file like g_file_get_contents.
func readContents(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, glibErr("Failed to open file “%s”: %s", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, glibErr("Failed to get attributes of file “%s”: fstat() failed: %s", path, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		// glib reads regular files with read(2), anything else (a
		// directory, a FIFO) through stdio, with different texts.
		if st.Mode().IsRegular() {
			return nil, glibErr("Failed to read from file “%s”: %s", path, err)
		}
		return nil, glibErr("Error reading file “%s”: %s", path, err)
	}
	return data, nil
}

// tempLetters are the characters g_mkstemp puts in place of XXXXXX.
const tempLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// setContents replaces path atomically like g_file_set_contents: a temporary
// "<path>.XXXXXX" in the same directory, written, fsynced and renamed over
// path, so a reader (sshd) sees the old or the new file, never a mix. The
// temporary file is created 0600 (glib uses 0666 and the caller chmods
// afterwards).
func setContents(path string, contents []byte) error {
	f, tmp, err := createTemp(path)
	if err != nil {
		return glibErr("Failed to create file “%s”: %s", tmp, err)
	}
	if err := writeSyncClose(f, tmp, contents); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	// rename(2) itself: os.Rename reports EEXIST for a directory target
	// where the kernel (and so qemu-ga) says EISDIR.
	if err := syscall.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return &glibFileError{msg: fmt.Sprintf("Failed to rename file “%s” to “%s”: g_rename() failed: %s",
			tmp, path, runner.ErrText(err))}
	}
	return nil
}

// createTemp opens a new "<path>.XXXXXX" exclusively, retrying on name
// clashes as g_mkstemp does. It returns the last name tried on failure.
func createTemp(path string) (*os.File, string, error) {
	var name string
	for range 100 {
		var rnd [6]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, path + ".XXXXXX", fmt.Errorf("random temp name: %w", err)
		}
		suffix := make([]byte, len(rnd))
		for i, b := range rnd {
			suffix[i] = tempLetters[int(b)%len(tempLetters)]
		}
		name = path + "." + string(suffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return f, name, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, name, err
		}
	}
	return nil, name, syscall.EEXIST
}

// writeSyncClose writes contents to the temporary file name and makes them
// durable before the rename.
func writeSyncClose(f *os.File, name string, contents []byte) error {
	if _, err := f.Write(contents); err != nil {
		f.Close()
		return glibErr("Failed to write file “%s”: write() failed: %s", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return glibErr("Failed to write file “%s”: fsync() failed: %s", name, err)
	}
	if err := f.Close(); err != nil {
		// g_close's error is the bare strerror text.
		return &glibFileError{msg: runner.ErrText(err)}
	}
	return nil
}
