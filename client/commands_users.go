package client

import "context"

// The users family: logged-in users, passwords, ssh keys.

// SetUserPassword runs guest-set-user-password. password is the clear
// text, or a crypt(3) hash when crypted.
func (c *Client) SetUserPassword(ctx context.Context, username string, password []byte, crypted bool) error {
	_, err := c.Call(ctx, "guest-set-user-password", map[string]any{
		"username": username, "password": nonNil(password), "crypted": crypted,
	})
	return err
}

// GetUsers runs guest-get-users.
func (c *Client) GetUsers(ctx context.Context) ([]User, error) {
	return call[[]User](ctx, c, "guest-get-users", nil)
}

// SSHGetAuthorizedKeys runs guest-ssh-get-authorized-keys.
func (c *Client) SSHGetAuthorizedKeys(ctx context.Context, username string) ([]string, error) {
	r, err := call[struct {
		Keys []string `json:"keys"`
	}](ctx, c, "guest-ssh-get-authorized-keys", map[string]string{"username": username})
	return r.Keys, err
}

// SSHAddAuthorizedKeys runs guest-ssh-add-authorized-keys; reset replaces
// the user's keys with keys.
func (c *Client) SSHAddAuthorizedKeys(ctx context.Context, username string, keys []string, reset bool) error {
	args := map[string]any{"username": username, "keys": nonNil(keys)}
	if reset {
		args["reset"] = true
	}
	_, err := c.Call(ctx, "guest-ssh-add-authorized-keys", args)
	return err
}

// SSHRemoveAuthorizedKeys runs guest-ssh-remove-authorized-keys.
func (c *Client) SSHRemoveAuthorizedKeys(ctx context.Context, username string, keys []string) error {
	_, err := c.Call(ctx, "guest-ssh-remove-authorized-keys", map[string]any{"username": username, "keys": nonNil(keys)})
	return err
}
