package bus

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// EmbeddedOptions configure the in-process NATS server.
type EmbeddedOptions struct {
	// Dir holds JetStream's file storage (created if missing).
	Dir string
	// Listen is a host:port to also accept network clients on (other adwatch
	// processes, the nats CLI); empty to accept in-process clients only.
	Listen string
}

// Embedded is an in-process NATS server with JetStream: the real nats-server
// code, so the one-binary mode behaves as a cluster would.
type Embedded struct {
	srv *server.Server
}

// StartEmbedded starts the server and waits until it accepts connections.
func StartEmbedded(opts EmbeddedOptions) (*Embedded, error) {
	so := &server.Options{
		ServerName: "adwatch",
		JetStream:  true,
		StoreDir:   filepath.Join(opts.Dir, "jetstream"),
		// The binary owns signal handling; the server must not exit on SIGTERM
		// before the stages have drained.
		NoSigs:     true,
		NoLog:      true,
		DontListen: opts.Listen == "",
	}
	if opts.Listen != "" {
		host, port, err := splitHostPort(opts.Listen)
		if err != nil {
			return nil, err
		}
		so.Host, so.Port = host, port
	}
	srv, err := server.NewServer(so)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("embedded NATS did not start within 30s (store %q)", so.StoreDir)
	}
	return &Embedded{srv: srv}, nil
}

// Connect returns a bus connected in-process to the server.
func (e *Embedded) Connect(logger *slog.Logger) (*Bus, error) {
	nc, err := nats.Connect("", nats.InProcessServer(e.srv), nats.Name("adwatch"))
	if err != nil {
		return nil, fmt.Errorf("connect to embedded NATS: %w", err)
	}
	return newBus(nc, logger)
}

// ClientURL is the URL network clients connect to ("" when not listening).
func (e *Embedded) ClientURL() string {
	if e.srv.Addr() == nil {
		return ""
	}
	return e.srv.ClientURL()
}

// Shutdown stops the server and waits until its storage is closed.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}
