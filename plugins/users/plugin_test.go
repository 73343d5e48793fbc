package users

import (
	"testing"

	"github.com/qgad/qgad/sdk"
)

// TestCommandTable: names in qemu-ga's schema order, results declared.
func TestCommandTable(t *testing.T) {
	p, err := New(sdk.TestEnv(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "users" || p.Version == "" {
		t.Errorf("Name = %q", p.Name)
	}
	want := []struct {
		name    string
		args    []string // "name" or "name?" for optional
		returns bool
	}{
		{"guest-set-user-password", []string{"username", "password", "crypted"}, false},
		{"guest-get-users", nil, true},
		{"guest-ssh-get-authorized-keys", []string{"username"}, true},
		{"guest-ssh-add-authorized-keys", []string{"username", "keys", "reset?"}, false},
		{"guest-ssh-remove-authorized-keys", []string{"username", "keys"}, false},
	}
	if len(p.Commands) != len(want) {
		t.Fatalf("%d commands, want %d", len(p.Commands), len(want))
	}
	for i, w := range want {
		c := p.Commands[i]
		if c.Name != w.name {
			t.Errorf("command %d = %s, want %s", i, c.Name, w.name)
		}
		var args []string
		for _, f := range c.Args {
			n := f.Name
			if f.Optional {
				n += "?"
			}
			args = append(args, n)
		}
		if len(args) != len(w.args) {
			t.Errorf("%s args %v, want %v", c.Name, args, w.args)
		} else {
			for j := range args {
				if args[j] != w.args[j] {
					t.Errorf("%s args %v, want %v", c.Name, args, w.args)
					break
				}
			}
		}
		if (c.Returns != nil) != w.returns || c.NoSuccessResponse || c.Doc == "" || c.Run == nil {
			t.Errorf("%s: Returns %v NoSuccessResponse %v Doc %q", c.Name, c.Returns, c.NoSuccessResponse, c.Doc)
		}
	}
}

// TestArgumentErrors: the declared schemas give the core's texts.
func TestArgumentErrors(t *testing.T) {
	p := newPlugin(t, t.TempDir())
	tests := []struct{ cmd, args, want string }{
		{"guest-set-user-password", `{"username": "u", "password": "eA=="}`, "Parameter 'crypted' is missing"},
		{"guest-set-user-password", `{"username": "u", "password": "eA==", "crypted": 1}`, "Invalid parameter type for 'crypted', expected: boolean"},
		{"guest-ssh-get-authorized-keys", ``, "Parameter 'username' is missing"},
		{"guest-ssh-add-authorized-keys", `{"username": "u"}`, "Parameter 'keys' is missing"},
		{"guest-ssh-add-authorized-keys", `{"username": "u", "keys": "k"}`, "Invalid parameter type for 'keys', expected: array"},
		{"guest-ssh-add-authorized-keys", `{"username": "u", "keys": [1]}`, "Invalid parameter type for 'keys[0]', expected: string"},
		{"guest-ssh-add-authorized-keys", `{"username": "u", "keys": [], "reset": "yes"}`, "Invalid parameter type for 'reset', expected: boolean"},
		{"guest-ssh-remove-authorized-keys", `{"username": "u", "keys": [], "reset": true}`, "Parameter 'reset' is unexpected"},
		{"guest-get-users", `{"x": 1}`, "Parameter 'x' is unexpected"},
	}
	for _, tc := range tests {
		if _, e := call(t, p, tc.cmd, tc.args); e != tc.want {
			t.Errorf("%s %s: error %q, want %q", tc.cmd, tc.args, e, tc.want)
		}
	}
}
