package hello

import (
	"context"
	"testing"

	"github.com/qgad/qgad/sdk"
)

func TestHello(t *testing.T) {
	p, err := New(sdk.TestEnv(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args, want, wantErr string
	}{
		{"", `{"greeting": "Hello, world!"}`, ""},
		{`{"name": "qgad"}`, `{"greeting": "Hello, qgad!"}`, ""},
		{`{"name": ""}`, "", "name must not be empty"},
		{`{"name": 1}`, "", "Invalid parameter type for 'name', expected: string"},
		{`{"nom": "x"}`, "", "Parameter 'nom' is unexpected"},
	}
	for _, tt := range tests {
		got, err := p.Call(context.Background(), "__com.example_hello", tt.args)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: error %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %s, %v; want %s", tt.args, got, err, tt.want)
		}
	}
}
