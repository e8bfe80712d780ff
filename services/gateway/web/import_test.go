package web

import (
	"strings"
	"testing"

	"github.com/consortia-dev/consortia/services/tender/app"
)

// TestImportReasonsTranslated: every reason the tender service counts a
// filtered record under has a text in both languages (Spanish different
// from the service's English words).
func TestImportReasonsTranslated(t *testing.T) {
	for _, reason := range []string{app.FilteredNUTS, app.FilteredCPV, app.FilteredRegion, app.FilteredNoPlace, app.FilteredCPVInterests, app.FilteredWithdrawn} {
		for _, lang := range languages {
			got := (&Locale{Lang: lang}).ImportReason(reason)
			if got == "" || strings.HasPrefix(got, "import.reason.") || (lang == "es" && got == reason) {
				t.Errorf("%s: reason %q rendered %q", lang, reason, got)
			}
		}
	}
}
