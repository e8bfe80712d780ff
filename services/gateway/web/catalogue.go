package web

import "maps"

// Messages returns a copy of the console's texts in lang (nil for a language
// the console does not speak), for tests outside the package that check pages
// against the catalogue.
func Messages(lang string) map[string]string {
	m, ok := messages[lang]
	if !ok {
		return nil
	}
	return maps.Clone(m)
}
