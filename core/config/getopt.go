package config

import (
	"fmt"
	"slices"
	"strings"
)

// This file reproduces glibc's getopt_long(3), which qemu-ga uses, closely
// enough that every command line gives the same options, the same operand
// handling and the same diagnostics: option clusters, attached or separate
// arguments, optional arguments that must be attached, unambiguous prefixes
// of long options, "--", and GNU argument permutation (non-options are
// skipped, and with POSIXLY_CORRECT set scanning stops at the first one).

// argKind is getopt's has_arg.
type argKind int

const (
	noArg argKind = iota
	requiredArg
	optionalArg
)

// longOpt is one entry of a getopt long option table.
type longOpt struct {
	name string
	has  argKind
	val  rune
}

// optEvent is what one getopt_long call returns.
type optEvent struct {
	val    rune   // the option, or '?' for an error
	arg    string // the argument, if any
	hasArg bool   // distinguishes "-F" (no argument) from "--fsfreeze-hook="
	diag   string // the message getopt printed to stderr ("" if none)
}

// getopt holds the scanning state glibc keeps in struct _getopt_data. argv
// is permuted in place, as glibc does, so a second pass sees the first pass's
// order (qemu-ga parses its command line twice).
type getopt struct {
	argv    []string
	shorts  string
	longs   []longOpt // qemu-ga's table: its prefixes and ambiguities
	extra   []longOpt // qgad's own options, consulted only when longs has no match
	inOrder bool      // POSIXLY_CORRECT: stop at the first non-option

	optind      int
	nextchar    string
	firstNonopt int
	lastNonopt  int
}

func newGetopt(argv []string, shorts string, longs, extra []longOpt, posixlyCorrect bool) *getopt {
	return &getopt{argv: argv, shorts: shorts, longs: longs, extra: extra, inOrder: posixlyCorrect}
}

// reset starts a new pass the way qemu-ga does (optind = 1).
func (g *getopt) reset() {
	g.optind = 0
	g.nextchar = ""
}

func (g *getopt) prog() string {
	if len(g.argv) == 0 {
		return ""
	}
	return g.argv[0]
}

func (g *getopt) nonOption(i int) bool {
	a := g.argv[i]
	return len(a) < 2 || a[0] != '-'
}

// exchange moves the options just scanned in front of the non-options skipped
// before them, as glibc's exchange() does.
func (g *getopt) exchange() {
	nonopts := append([]string(nil), g.argv[g.firstNonopt:g.lastNonopt]...)
	opts := g.argv[g.lastNonopt:g.optind]
	n := copy(g.argv[g.firstNonopt:], opts)
	copy(g.argv[g.firstNonopt+n:], nonopts)
	g.firstNonopt += g.optind - g.lastNonopt
	g.lastNonopt = g.optind
}

// next returns the next option, or ok == false when scanning is done.
func (g *getopt) next() (ev optEvent, ok bool) {
	argc := len(g.argv)
	if g.optind == 0 {
		g.optind = 1
		g.firstNonopt, g.lastNonopt = 1, 1
	}
	if g.nextchar == "" {
		if g.lastNonopt > g.optind {
			g.lastNonopt = g.optind
		}
		if g.firstNonopt > g.optind {
			g.firstNonopt = g.optind
		}
		if !g.inOrder {
			if g.firstNonopt != g.lastNonopt && g.lastNonopt != g.optind {
				g.exchange()
			} else if g.lastNonopt != g.optind {
				g.firstNonopt = g.optind
			}
			for g.optind < argc && g.nonOption(g.optind) {
				g.optind++
			}
			g.lastNonopt = g.optind
		}
		if g.optind != argc && g.argv[g.optind] == "--" {
			g.optind++
			if g.firstNonopt != g.lastNonopt && g.lastNonopt != g.optind {
				g.exchange()
			} else if g.firstNonopt == g.lastNonopt {
				g.firstNonopt = g.optind
			}
			g.lastNonopt = argc
			g.optind = argc
		}
		if g.optind == argc {
			if g.firstNonopt != g.lastNonopt {
				g.optind = g.firstNonopt
			}
			return optEvent{}, false
		}
		if g.nonOption(g.optind) {
			// Only reachable in order-preserving mode: stop here.
			return optEvent{}, false
		}
		if arg := g.argv[g.optind]; arg[1] == '-' {
			g.nextchar = arg[2:]
			return g.longOption(), true
		}
		g.nextchar = g.argv[g.optind][1:]
	}
	return g.shortOption(), true
}

func (g *getopt) shortOption() optEvent {
	c := g.nextchar[0]
	g.nextchar = g.nextchar[1:]
	if g.nextchar == "" {
		g.optind++
	}
	i := strings.IndexByte(g.shorts, c)
	if i < 0 || c == ':' || c == ';' {
		return optEvent{val: '?', diag: fmt.Sprintf("%s: invalid option -- '%c'\n", g.prog(), c)}
	}
	ev := optEvent{val: rune(c)}
	spec := g.shorts[i+1:]
	switch {
	case strings.HasPrefix(spec, "::"):
		// Optional argument: only an attached one counts.
		if g.nextchar != "" {
			ev.arg, ev.hasArg = g.nextchar, true
			g.optind++
		}
		g.nextchar = ""
	case strings.HasPrefix(spec, ":"):
		switch {
		case g.nextchar != "":
			ev.arg, ev.hasArg = g.nextchar, true
			g.optind++
		case g.optind == len(g.argv):
			ev = optEvent{val: '?', diag: fmt.Sprintf("%s: option requires an argument -- '%c'\n", g.prog(), c)}
		default:
			ev.arg, ev.hasArg = g.argv[g.optind], true
			g.optind++
		}
		g.nextchar = ""
	}
	return ev
}

// findPrefix looks a long option up by prefix in one table. ambiguous lists
// every candidate, in table order, when the prefix matches options that
// differ.
func findPrefix(table []longOpt, name string) (found *longOpt, ambiguous []string) {
	for i := range table {
		p := &table[i]
		if !strings.HasPrefix(p.name, name) {
			continue
		}
		if found == nil {
			found = p
			continue
		}
		if found.has != p.has || found.val != p.val {
			if ambiguous == nil {
				ambiguous = []string{found.name}
			}
			ambiguous = append(ambiguous, p.name)
		}
	}
	return found, ambiguous
}

func (g *getopt) longOption() optEvent {
	text := g.nextchar // everything after "--", "=value" included
	name, value, hasValue := strings.Cut(text, "=")
	g.nextchar = ""
	g.optind++

	// Exact names win across both tables; prefixes resolve against qemu-ga's
	// table first, so adding qgad's options never changes what a qemu-ga
	// command line means (e.g. "--r" stays --retry-path).
	var found *longOpt
	var ambiguous []string
	for _, o := range slices.Concat(g.longs, g.extra) {
		if o.name == name {
			found = &o
			break
		}
	}
	if found == nil {
		found, ambiguous = findPrefix(g.longs, name)
		if found == nil {
			found, ambiguous = findPrefix(g.extra, name)
		}
	}
	if ambiguous != nil {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: option '--%s' is ambiguous; possibilities:", g.prog(), text)
		for _, n := range ambiguous {
			fmt.Fprintf(&b, " '--%s'", n)
		}
		b.WriteString("\n")
		return optEvent{val: '?', diag: b.String()}
	}
	if found == nil {
		return optEvent{val: '?', diag: fmt.Sprintf("%s: unrecognized option '--%s'\n", g.prog(), text)}
	}
	ev := optEvent{val: found.val}
	switch {
	case hasValue:
		if found.has == noArg {
			return optEvent{val: '?', diag: fmt.Sprintf("%s: option '--%s' doesn't allow an argument\n", g.prog(), found.name)}
		}
		ev.arg, ev.hasArg = value, true
	case found.has == requiredArg:
		if g.optind >= len(g.argv) {
			return optEvent{val: '?', diag: fmt.Sprintf("%s: option '--%s' requires an argument\n", g.prog(), found.name)}
		}
		ev.arg, ev.hasArg = g.argv[g.optind], true
		g.optind++
	}
	return ev
}
