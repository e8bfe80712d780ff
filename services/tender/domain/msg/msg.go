// Package msg is the tender service's text catalogue: the sentences the
// eligibility rules and the matching engine explain themselves with, as
// message ids with typed arguments, and one catalogue per language (en, es)
// that renders them.
//
// The domain builds a Message (an ID and its arguments) and keeps its English
// rendering in the string fields API clients read; the console renders the
// same Message in the page's language. So there is one English text, the
// English catalogue's, and a Spanish one beside it, never a translation of a
// translation.
//
// A catalogue maps each id to a format whose arguments are placed by
// position (%[2]s), so a language may reorder them, with a singular form
// where a count asks for one (see catalogues in render.go for why this is a
// plain map and not golang.org/x/text/message). The arguments are formatted
// per language: counts, money, percentages, dates, lists ("a, b y c"),
// capability labels (from the shared vocabulary, services/platform/vocab),
// organisations and nested messages. The package does no I/O.
package msg

import (
	"fmt"
	"sort"
)

// ID names a sentence of the catalogue. IDs are made only by this package
// (the variables in ids.go), so every id the domain can emit is registered,
// with its argument kinds, and a test checks each has a text in every language.
type ID struct{ name string }

// String returns the id's stable name, e.g. "eligibility.members.ok.detail".
func (id ID) String() string { return id.name }

// IsZero reports whether id is unset.
func (id ID) IsZero() bool { return id.name == "" }

// Kind is the type of a message argument.
type Kind int

// The argument kinds.
const (
	// KindText is shown as is (a company name without id, a CPV prefix, an error).
	KindText Kind = iota + 1
	// KindCount is an integer; plural forms choose by it.
	KindCount
	// KindYear is a calendar year (no digit grouping).
	KindYear
	// KindMoney is an amount in euro cents.
	KindMoney
	// KindPercent is a share in hundredths of a percent.
	KindPercent
	// KindDate is a calendar date, Text "2006-01-02".
	KindDate
	// KindOrg is an organisation: ID and its label (Text).
	KindOrg
	// KindCapability is a capability id of the controlled vocabulary.
	KindCapability
	// KindCert is a certification with its level, "ENS media".
	KindCert
	// KindList is a list of arguments (Items), joined by Join.
	KindList
	// KindMessage is a nested message (Msg).
	KindMessage
)

var kindNames = map[Kind]string{
	KindText: "text", KindCount: "count", KindYear: "year", KindMoney: "money", KindPercent: "percent",
	KindDate: "date", KindOrg: "organization", KindCapability: "capability", KindCert: "certification",
	KindList: "list", KindMessage: "message",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Join is how a list's items are joined.
type Join int

// The joins.
const (
	// JoinAnd is "a, b and c" ("a, b y c").
	JoinAnd Join = iota
	// JoinOr is "a or b" ("a o b").
	JoinOr
	// JoinSemicolon is "a; b".
	JoinSemicolon
	// JoinPlus is "a + b".
	JoinPlus
)

// Arg is one argument of a message.
type Arg struct {
	// Kind says which of the other fields hold the value.
	Kind Kind
	// Text is the text, the date ("2006-01-02"), the organisation's label,
	// the capability id or the certification.
	Text string
	// ID is the organisation id (KindOrg).
	ID string
	// Number is the count, year, cents or hundredths of a percent.
	Number int64
	// Items are a list's items (KindList).
	Items []Arg
	// Join joins a list's items.
	Join Join
	// Msg is a nested message (KindMessage).
	Msg *Message
}

// Message is a sentence: an id and its arguments in the catalogue's order.
type Message struct {
	ID   ID
	Args []Arg
}

// IsZero reports whether m is unset.
func (m Message) IsZero() bool { return m.ID.IsZero() }

// New returns the message id with args.
func New(id ID, args ...Arg) Message { return Message{ID: id, Args: args} }

// Text is a text argument.
func Text(s string) Arg { return Arg{Kind: KindText, Text: s} }

// Count is a count argument.
func Count[N ~int | ~int64](n N) Arg { return Arg{Kind: KindCount, Number: int64(n)} }

// Year is a calendar year argument.
func Year(y int) Arg { return Arg{Kind: KindYear, Number: int64(y)} }

// Money is an amount in euro cents.
func Money(cents int64) Arg { return Arg{Kind: KindMoney, Number: cents} }

// Percent is a share in hundredths of a percent.
func Percent(bp int64) Arg { return Arg{Kind: KindPercent, Number: bp} }

// Date is a calendar date given as "2006-01-02".
func Date(isoDate string) Arg { return Arg{Kind: KindDate, Text: isoDate} }

// Org is an organisation with the label a person knows it by.
func Org(id, label string) Arg { return Arg{Kind: KindOrg, ID: id, Text: label} }

// Capability is a capability id.
func Capability(id string) Arg { return Arg{Kind: KindCapability, Text: id} }

// Cert is a certification with its level, "ENS media".
func Cert(s string) Arg { return Arg{Kind: KindCert, Text: s} }

// List joins items.
func List(join Join, items ...Arg) Arg { return Arg{Kind: KindList, Join: join, Items: items} }

// Nested is a message used as an argument.
func Nested(m Message) Arg { return Arg{Kind: KindMessage, Msg: &m} }

// registry holds every id with its argument kinds.
var registry = map[string]entry{}

type entry struct {
	id   ID
	args []Kind
}

// def registers an id with its argument kinds.
func def(name string, args ...Kind) ID {
	if _, dup := registry[name]; dup {
		panic("msg: id defined twice: " + name)
	}
	id := ID{name: name}
	registry[name] = entry{id: id, args: args}
	return id
}

// Lookup returns the id named name.
func Lookup(name string) (ID, bool) {
	e, ok := registry[name]
	return e.id, ok
}

// IDs returns every registered id, sorted by name.
func IDs() []ID {
	out := make([]ID, 0, len(registry))
	for _, e := range registry {
		out = append(out, e.id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Signature returns the argument kinds of id.
func Signature(id ID) []Kind { return registry[id.name].args }

// Check reports whether m and its nested messages use registered ids with
// arguments of the registered kinds.
func (m Message) Check() error {
	e, ok := registry[m.ID.name]
	if !ok {
		return fmt.Errorf("msg: unknown id %q", m.ID.name)
	}
	if len(m.Args) != len(e.args) {
		return fmt.Errorf("msg: %s takes %d arguments, got %d", m.ID.name, len(e.args), len(m.Args))
	}
	for i, a := range m.Args {
		if a.Kind != e.args[i] {
			return fmt.Errorf("msg: %s argument %d is a %s, want a %s", m.ID.name, i+1, a.Kind, e.args[i])
		}
		if err := a.check(); err != nil {
			return fmt.Errorf("%s argument %d: %w", m.ID.name, i+1, err)
		}
	}
	return nil
}

func (a Arg) check() error {
	switch a.Kind {
	case KindMessage:
		if a.Msg == nil {
			return fmt.Errorf("msg: nested message is nil")
		}
		return a.Msg.Check()
	case KindList:
		for _, it := range a.Items {
			if err := it.check(); err != nil {
				return err
			}
		}
	}
	return nil
}
