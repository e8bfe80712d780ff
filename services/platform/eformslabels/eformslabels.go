// Package eformslabels reads the eForms SDK's code labels (Java-properties XML
// such as cpv/code_es.xml, keys "code|name|<list>.<code>"), shared by the CPV
// and NUTS lists.
package eformslabels

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Read returns the labels of the entries whose key starts with prefix (e.g.
// "code|name|cpv."), by the rest of the key. valid checks each code; an invalid
// one is an error wrapping errFormat.
func Read(path, prefix string, valid func(code string) bool, errFormat error) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	labels := make(map[string]string, 10000)
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok || start.Name.Local != "entry" {
			continue
		}
		key := attr(start, "key")
		if !strings.HasPrefix(key, prefix) {
			if err := dec.Skip(); err != nil {
				return nil, fmt.Errorf("parse %s: %w", path, err)
			}
			continue
		}
		var text string
		if err := dec.DecodeElement(&text, &start); err != nil {
			return nil, fmt.Errorf("parse %s: entry %q: %w", path, key, err)
		}
		code := strings.TrimPrefix(key, prefix)
		if !valid(code) {
			return nil, fmt.Errorf("%s: key %q: %w", path, key, errFormat)
		}
		labels[code] = strings.TrimSpace(text)
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("%s: no %q entries", path, prefix)
	}
	return labels, nil
}

func attr(start xml.StartElement, name string) string {
	for _, a := range start.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
