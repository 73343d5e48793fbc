package dispatch

import (
	"context"
	"slices"
	"sync"

	"github.com/qgad/qgad/qapi"
)

// Provider runs the commands of one family outside the core (a plugin).
type Provider interface {
	// Execute runs a command on validated arguments (a JSON object). It
	// returns the serialized result or the command's error; err reports
	// that the plugin itself failed (died, hung, could not start).
	Execute(ctx context.Context, family, command string, args []byte) (result qapi.RawJSON, qerr *qapi.Error, err error)
}

// Command is a registered command.
type Command struct {
	Name            string
	Family          string // "core" for the core's own commands
	Args            []qapi.Field
	Returns         *qapi.Type
	Doc             string
	SuccessResponse bool
	// FamilyDisabled is set when the admin disabled the whole family: the
	// command stays listed but answers the disabled error.
	FamilyDisabled bool

	core coreFunc
}

type coreFunc func(ctx context.Context, args *qapi.Object) (any, *qapi.Error)

// Registry holds every command in qemu-ga's registration order.
type Registry struct {
	mu      sync.RWMutex
	cmds    []*Command
	changed chan struct{} // closed and replaced on every Add
}

// Changed returns a channel closed at the next Add: a command that is not
// registered yet waits on it for its plugin to describe itself.
func (r *Registry) Changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.changed == nil {
		r.changed = make(chan struct{})
	}
	return r.changed
}

// Add registers a command. A second registration of a name is an error
// naming both families.
func (r *Registry) Add(c *Command) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, old := range r.cmds {
		if old.Name == c.Name {
			// Plugins describe themselves concurrently: name them in a
			// stable order.
			a, b := old.Family, c.Family
			if b < a {
				a, b = b, a
			}
			return &DuplicateError{Command: c.Name, First: a, Second: b}
		}
	}
	r.cmds = append(r.cmds, c)
	slices.SortStableFunc(r.cmds, func(a, b *Command) int { return rank(a) - rank(b) })
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
	return nil
}

// rank places known commands by schema order and unknown ones after them.
func rank(c *Command) int {
	if i := schemaIndex(c.Name); i >= 0 {
		return i
	}
	return len(schemaOrder)
}

// Lookup finds a command by name.
func (r *Registry) Lookup(name string) (*Command, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, c := range r.cmds {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// All returns the commands in registration order.
func (r *Registry) All() []*Command {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Clone(r.cmds)
}

// DuplicateError reports two families claiming one command.
type DuplicateError struct {
	Command, First, Second string
}

func (e *DuplicateError) Error() string {
	return "command " + e.Command + " is provided by both plugin " + e.First + " and plugin " + e.Second
}

// Policy decides which commands are enabled (spec 3.3).
type Policy struct {
	Allow []string // empty: everything allowed
	Block []string
}

// Enabled applies allow list, block list and the frozen gate, in that order.
func (p Policy) Enabled(c *Command, frozen bool) bool {
	if frozen {
		return frozenAllowed[c.Name]
	}
	if c.FamilyDisabled {
		return false
	}
	if len(p.Allow) > 0 && !slices.Contains(p.Allow, c.Name) {
		return false
	}
	return !slices.Contains(p.Block, c.Name)
}
