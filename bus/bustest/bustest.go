// Package bustest starts real in-process JetStream servers for tests.
package bustest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/adwatch/adwatch/bus"
)

// Start starts an embedded JetStream server storing under a temporary
// directory, sets up the pipeline streams and returns a connected bus. Both
// are closed when the test ends.
func Start(t testing.TB) *bus.Bus {
	t.Helper()
	e, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	b, err := e.Connect(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Setup(ctx, 1); err != nil {
		t.Fatal(err)
	}
	return b
}
