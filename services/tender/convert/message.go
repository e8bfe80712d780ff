package convert

import (
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/domain/msg"
)

// Message to proto (nil for the zero message).
func Message(m msg.Message) *tenderv1.Message {
	if m.IsZero() {
		return nil
	}
	out := &tenderv1.Message{Id: m.ID.String(), Args: make([]*tenderv1.MessageArg, len(m.Args))}
	for i, a := range m.Args {
		out.Args[i] = messageArg(a)
	}
	return out
}

// Messages to proto.
func Messages(ms []msg.Message) []*tenderv1.Message { return mapSlice(ms, Message) }

var joins = map[msg.Join]tenderv1.MessageList_Join{
	msg.JoinAnd: tenderv1.MessageList_JOIN_AND, msg.JoinOr: tenderv1.MessageList_JOIN_OR,
	msg.JoinSemicolon: tenderv1.MessageList_JOIN_SEMICOLON, msg.JoinPlus: tenderv1.MessageList_JOIN_PLUS,
}

func messageArg(a msg.Arg) *tenderv1.MessageArg {
	switch a.Kind {
	case msg.KindCount:
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_Count{Count: a.Number}}
	case msg.KindYear:
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_Year{Year: a.Number}}
	case msg.KindMoney:
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_Cents{Cents: a.Number}}
	case msg.KindPercent:
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_BasisPoints{BasisPoints: a.Number}}
	case msg.KindDate:
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_Date{Date: a.Text}}
	case msg.KindOrg:
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_Organization{Organization: &tenderv1.MessageOrganization{Id: a.ID, Label: a.Text}}}
	case msg.KindCapability:
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_Capability{Capability: a.Text}}
	case msg.KindCert:
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_Certification{Certification: a.Text}}
	case msg.KindList:
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_List{List: &tenderv1.MessageList{Items: mapSlice(a.Items, messageArg), Join: joins[a.Join]}}}
	case msg.KindMessage:
		var m *tenderv1.Message
		if a.Msg != nil {
			m = Message(*a.Msg)
		}
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_Message{Message: m}}
	default:
		return &tenderv1.MessageArg{Value: &tenderv1.MessageArg_Text{Text: a.Text}}
	}
}

// MessageFrom proto; ok is false when the message or one nested in it has an
// id this catalogue does not know or arguments of other kinds (a client
// then shows the English string beside it).
func MessageFrom(p *tenderv1.Message) (msg.Message, bool) {
	if p == nil {
		return msg.Message{}, false
	}
	id, ok := msg.Lookup(p.GetId())
	if !ok {
		return msg.Message{}, false
	}
	m := msg.Message{ID: id, Args: make([]msg.Arg, len(p.GetArgs()))}
	for i, a := range p.GetArgs() {
		m.Args[i] = messageArgFrom(a)
	}
	return m, m.Check() == nil
}

func messageArgFrom(a *tenderv1.MessageArg) msg.Arg {
	switch v := a.GetValue().(type) {
	case *tenderv1.MessageArg_Count:
		return msg.Count(v.Count)
	case *tenderv1.MessageArg_Year:
		return msg.Arg{Kind: msg.KindYear, Number: v.Year}
	case *tenderv1.MessageArg_Cents:
		return msg.Money(v.Cents)
	case *tenderv1.MessageArg_BasisPoints:
		return msg.Percent(v.BasisPoints)
	case *tenderv1.MessageArg_Date:
		return msg.Date(v.Date)
	case *tenderv1.MessageArg_Organization:
		return msg.Org(v.Organization.GetId(), v.Organization.GetLabel())
	case *tenderv1.MessageArg_Capability:
		return msg.Capability(v.Capability)
	case *tenderv1.MessageArg_Certification:
		return msg.Cert(v.Certification)
	case *tenderv1.MessageArg_List:
		join := msg.JoinAnd
		for j, pj := range joins {
			if pj == v.List.GetJoin() {
				join = j
			}
		}
		return msg.List(join, mapSlice(v.List.GetItems(), messageArgFrom)...)
	case *tenderv1.MessageArg_Message:
		m, ok := MessageFrom(v.Message)
		if !ok {
			return msg.Arg{Kind: msg.KindMessage} // fails Check
		}
		return msg.Nested(m)
	case *tenderv1.MessageArg_Text:
		return msg.Text(v.Text)
	default:
		return msg.Arg{}
	}
}
