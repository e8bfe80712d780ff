// Package datadir locates the shared public data (CPV codes, PLACSP feeds, TED
// notices, OCDS samples) that Consortia reads but never copies into the repository.
//
// The folder is taken from CONSORTIA_DATA_DIR when set; otherwise it is the
// "shared/data" folder next to the repository root (../shared/data seen from the
// root), found by walking up from the working directory to the go.work file.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// EnvVar names the environment variable that overrides the data folder.
const EnvVar = "CONSORTIA_DATA_DIR"

// ErrNotFound is returned when no data folder can be located.
var ErrNotFound = errors.New("shared data folder not found")

// Dir returns the shared data folder.
func Dir() (string, error) {
	if d := os.Getenv(EnvVar); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", fmt.Errorf("%s=%q: %w", EnvVar, d, err)
		}
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared", "data")
			if _, err := os.Stat(d); err != nil {
				return "", fmt.Errorf("%w: looked in %s (set %s)", ErrNotFound, d, EnvVar)
			}
			return d, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("%w: no go.work above %s (set %s)", ErrNotFound, wd, EnvVar)
		}
	}
}

// Path joins elem onto the shared data folder.
func Path(elem ...string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{d}, elem...)...), nil
}
