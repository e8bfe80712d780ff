package config

import (
	"errors"
	"strings"
	"testing"
)

type sample struct {
	Port     int    `env:"CONSORTIA_SAMPLE_PORT" envDefault:"4222"`
	URL      string `env:"CONSORTIA_SAMPLE_URL_X" envDefault:"nats://127.0.0.1:4222"`
	Password string `env:"CONSORTIA_SAMPLE_SECRET" secret:"true"`
	Level    string `env:"CONSORTIA_SAMPLE_LEVEL" envDefault:"info"`
}

func (s *sample) Validate() error {
	if s.Level != "info" && s.Level != "debug" {
		return errors.New("CONSORTIA_SAMPLE_LEVEL: want info or debug")
	}
	return nil
}

type listen struct {
	Addr string `env:"LISTEN_ADDR"`
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		want    sample
		wantErr []string // substrings, each must appear
	}{
		{name: "defaults", want: sample{Port: 4222, URL: "nats://127.0.0.1:4222", Level: "info"}},
		{name: "set", environ: []string{"CONSORTIA_SAMPLE_PORT=5000", "CONSORTIA_SAMPLE_LEVEL=debug", "PATH=/bin"},
			want: sample{Port: 5000, URL: "nats://127.0.0.1:4222", Level: "debug"}},
		{name: "malformed", environ: []string{"CONSORTIA_SAMPLE_PORT=forty"}, wantErr: []string{"CONSORTIA_SAMPLE_PORT"}},
		{name: "invalid value", environ: []string{"CONSORTIA_SAMPLE_LEVEL=loud"}, wantErr: []string{"CONSORTIA_SAMPLE_LEVEL: want info or debug"}},
		{name: "unknown variable", environ: []string{"CONSORTIA_SAMPLE_PROT=5000"}, wantErr: []string{"CONSORTIA_SAMPLE_PROT: unknown variable"}},
		{name: "every problem at once", environ: []string{"CONSORTIA_SAMPLE_PORT=x", "CONSORTIA_TYPO=1"},
			wantErr: []string{"CONSORTIA_SAMPLE_PORT", "CONSORTIA_TYPO: unknown variable"}},
		{name: "other processes' names are tolerated", environ: []string{"CONSORTIA_STATE_DIR=/x", "CONSORTIA_TENDER_URL=t:1", "CONSORTIA_NOTIFICATION_LISTEN_ADDR=:1"},
			want: sample{Port: 4222, URL: "nats://127.0.0.1:4222", Level: "info"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got sample
			var l listen
			err := parse(tc.environ, &got, Prefixed{Prefix: "CONSORTIA_SAMPLE_", V: &l})
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestPrefixedReadsTheServiceName(t *testing.T) {
	l := listen{Addr: ":7101"}
	if err := parse([]string{"CONSORTIA_MEMBER_LISTEN_ADDR=127.0.0.1:9"}, Prefixed{Prefix: "CONSORTIA_MEMBER_", V: &l}); err != nil {
		t.Fatal(err)
	}
	if l.Addr != "127.0.0.1:9" {
		t.Errorf("addr %q", l.Addr)
	}
	l = listen{Addr: ":7101"}
	if err := parse(nil, Prefixed{Prefix: "CONSORTIA_MEMBER_", V: &l}); err != nil || l.Addr != ":7101" {
		t.Errorf("default kept: %q, %v", l.Addr, err)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"mongodb://app:hunter2@db:27017/x": "mongodb://app:xxxxx@db:27017/x",
		"nats://127.0.0.1:4222":            "nats://127.0.0.1:4222",
		"":                                 "",
	} {
		if got := Mask(in, false); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Mask("s3cret", true); got != "xxxxx" {
		t.Errorf("secret shown: %q", got)
	}
	t.Setenv("CONSORTIA_SAMPLE_SECRET", "s3cret")
	kv := Describe(&sample{})
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "CONSORTIA_SAMPLE_SECRET" && kv[i+1] != "xxxxx" {
			t.Errorf("Describe shows the secret: %v", kv[i+1])
		}
	}
}

type peerSettings struct {
	Other string `env:"CONSORTIA_SAMPLE_OTHER_PROCESS"`
}

func TestRegisteredNamesAreTolerated(t *testing.T) {
	var s sample
	if err := parse([]string{"CONSORTIA_SAMPLE_OTHER_PROCESS=x"}, &s); err == nil {
		t.Fatal("a variable no type declares was accepted")
	}
	Register(&peerSettings{})
	if err := parse([]string{"CONSORTIA_SAMPLE_OTHER_PROCESS=x"}, &s); err != nil {
		t.Errorf("a registered variable of another process was refused: %v", err)
	}
}
