package web

import (
	"regexp"
	"strconv"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// generatedID matches the UUIDs the services give lots (and everything else)
// when the source has no id of its own: those are not shown to people.
var generatedID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// lotName is how a lot is named on pages: its id when the source numbered it
// ("2" from PLACSP), else its position in the tender ("2" for the second).
func lotName(lots []*tenderv1.Lot, id string) string {
	if !generatedID.MatchString(id) {
		return id
	}
	for i, l := range lots {
		if l.GetId() == id {
			return strconv.Itoa(i + 1)
		}
	}
	return "?"
}

func init() {
	funcs["lotName"] = lotName
}
