// Package users is the accounts family of qgad: logged-in users from utmp,
// account passwords through chpasswd, and OpenSSH authorized_keys editing,
// wire-compatible with qemu-ga (guest-get-users, guest-set-user-password,
// guest-ssh-*-authorized-keys).
package users

import (
	"sync"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// Name is the family name.
const Name = "users"

// Version is the family's version, reported to the core.
const Version = "0.1.0"

// family holds what the handlers need; it is per-plugin, not global.
type family struct {
	env sdk.Env
	// keysMu serializes authorized_keys rewrites: each is read-modify-write,
	// and qemu-ga never runs two at once either.
	keysMu sync.Mutex
}

// guestUserType is GuestUser; "domain" is filled on Windows only.
func guestUserType() *qapi.Type {
	return qapi.Struct("GuestUser",
		qapi.Req("user", qapi.String),
		qapi.Req("login-time", qapi.Number),
		qapi.Opt("domain", qapi.String),
	)
}

func authorizedKeysType() *qapi.Type {
	return qapi.Struct("GuestAuthorizedKeys", qapi.Req("keys", qapi.List(qapi.String)))
}

// New builds the family. Commands are listed in qemu-ga's schema order.
func New(env sdk.Env) (*sdk.Plugin, error) {
	f := &family{env: env}
	return &sdk.Plugin{
		Name:    Name,
		Version: Version,
		Commands: []sdk.Command{
			{
				Name: "guest-set-user-password",
				Doc:  "Set a user account's password (base64), through chpasswd.",
				Args: []qapi.Field{
					qapi.Req("username", qapi.String),
					qapi.Req("password", qapi.String),
					qapi.Req("crypted", qapi.Bool),
				},
				Run: sdk.Handle(f.setUserPassword),
			},
			{
				Name:    "guest-get-users",
				Doc:     "List the users logged in (utmp USER_PROCESS entries) with their earliest login time.",
				Returns: qapi.List(guestUserType()),
				Run:     sdk.HandleNoArgs(f.getUsers),
			},
			{
				Name:    "guest-ssh-get-authorized-keys",
				Doc:     "Return the keys of a user's ~/.ssh/authorized_keys, last line first.",
				Args:    []qapi.Field{qapi.Req("username", qapi.String)},
				Returns: authorizedKeysType(),
				Run:     sdk.Handle(f.sshGetAuthorizedKeys),
			},
			{
				Name: "guest-ssh-add-authorized-keys",
				Doc:  "Append keys missing from a user's ~/.ssh/authorized_keys (or replace it with reset).",
				Args: []qapi.Field{
					qapi.Req("username", qapi.String),
					qapi.Req("keys", qapi.List(qapi.String)),
					qapi.Opt("reset", qapi.Bool),
				},
				Run: sdk.Handle(f.sshAddAuthorizedKeys),
			},
			{
				Name: "guest-ssh-remove-authorized-keys",
				Doc:  "Remove keys from a user's ~/.ssh/authorized_keys.",
				Args: []qapi.Field{
					qapi.Req("username", qapi.String),
					qapi.Req("keys", qapi.List(qapi.String)),
				},
				Run: sdk.Handle(f.sshRemoveAuthorizedKeys),
			},
		},
	}, nil
}
