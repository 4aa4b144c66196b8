// Package bus is adwatch's message bus: the one place that imports NATS. It
// starts the embedded JetStream server of the one-binary mode, connects to an
// external NATS cluster at scale, and gives the stages the few operations they
// need — durable publish with de-duplication, pull consumers with explicit
// acknowledgement and a dead-letter subject, and key-value buckets — with one
// client code path for both.
//
// Delivery is at-least-once: a stage acknowledges a message only after the next
// stage (or the index) has durably taken what it produced, and every publish
// carries a message id so that a republish after a crash is dropped by the
// server's duplicate window.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Streams and subjects of the pipeline.
const (
	RawStream    = "ADS_RAW"
	RawSubjects  = "ads.raw.>"
	ScoredStream = "ADS_SCORED"
	// ScoredSubjects is kept without age limit: the index is rebuilt from it.
	ScoredSubjects = "ads.scored.>"
	DeadStream     = "ADS_DEAD"
	DeadSubjects   = "ads.dead.>"
)

// RawSubject is the subject a crawler publishes site's raw ads on.
func RawSubject(site string) string { return "ads.raw." + site }

// ScoredSubject is the subject the classifier publishes site's scored ads on.
func ScoredSubject(site string) string { return "ads.scored." + site }

// DuplicateWindow is how long the server remembers message ids. It is long so
// that a crawler restarted hours after a crash still cannot duplicate an ad.
const DuplicateWindow = 24 * time.Hour

// Bus is a connection to JetStream.
type Bus struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	logger *slog.Logger
}

// ConnectOptions configure a connection to an external NATS server.
type ConnectOptions struct {
	// CredsFile is a NATS credentials file; empty for none.
	CredsFile string
	// CAFile, CertFile and KeyFile configure TLS; empty for none.
	CAFile, CertFile, KeyFile string
	// Name identifies this process to the server (monitoring).
	Name string
}

// Connect connects to the NATS servers at url (comma-separated).
func Connect(url string, opts ConnectOptions, logger *slog.Logger) (*Bus, error) {
	no := []nats.Option{nats.Name(opts.Name), nats.MaxReconnects(-1)}
	if opts.CredsFile != "" {
		no = append(no, nats.UserCredentials(opts.CredsFile))
	}
	if opts.CAFile != "" {
		no = append(no, nats.RootCAs(opts.CAFile))
	}
	if opts.CertFile != "" || opts.KeyFile != "" {
		no = append(no, nats.ClientCert(opts.CertFile, opts.KeyFile))
	}
	nc, err := nats.Connect(url, no...)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %q: %w", url, err)
	}
	return newBus(nc, logger)
}

func newBus(nc *nats.Conn, logger *slog.Logger) (*Bus, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	return &Bus{nc: nc, js: js, logger: logger}, nil
}

// Close drains and closes the connection.
func (b *Bus) Close() {
	if err := b.nc.Drain(); err != nil {
		b.nc.Close()
	}
}

// Setup creates or updates the pipeline's streams. It is idempotent; replicas
// is 1 for one server and 3 for a cluster.
func (b *Bus) Setup(ctx context.Context, replicas int) error {
	if replicas < 1 {
		replicas = 1
	}
	streams := []jetstream.StreamConfig{
		{Name: RawStream, Subjects: []string{RawSubjects}, Duplicates: DuplicateWindow, MaxAge: 30 * 24 * time.Hour},
		{Name: ScoredStream, Subjects: []string{ScoredSubjects}, Duplicates: DuplicateWindow},
		{Name: DeadStream, Subjects: []string{DeadSubjects}, Duplicates: DuplicateWindow},
	}
	for _, cfg := range streams {
		cfg.Storage = jetstream.FileStorage
		cfg.Replicas = replicas
		if _, err := b.js.CreateOrUpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("set up stream %q: %w", cfg.Name, err)
		}
	}
	return nil
}

// Publish publishes data on subject and waits until the stream has stored it.
// msgID makes the publish idempotent within DuplicateWindow.
func (b *Bus) Publish(ctx context.Context, subject, msgID string, data []byte) error {
	_, err := b.js.Publish(ctx, subject, data, jetstream.WithMsgID(msgID))
	if err != nil {
		return fmt.Errorf("publish to %q: %w", subject, err)
	}
	return nil
}

// ConsumerOptions configure a durable pull consumer.
type ConsumerOptions struct {
	Stream  string
	Durable string // shared by every replica of a stage, so each message goes to one of them
	Filter  string // subject filter; empty for the whole stream
	// AckWait is how long a fetched message may stay unacknowledged before it
	// is redelivered (default 30s).
	AckWait time.Duration
	// MaxDeliver is how many deliveries a message gets before the server
	// stops delivering it; 0 means no limit (the default). The stages
	// dead-letter what they recognise as poison themselves, so a limit
	// would only drop good ads that met a long outage downstream.
	MaxDeliver int
	// MaxAckPending caps the messages delivered and not yet acknowledged,
	// over all replicas of the stage (default 20000). It must exceed the
	// batches in flight: past it, a fetch waits out its whole wait.
	MaxAckPending int
}

// Consumer fetches messages of a durable pull consumer.
type Consumer struct {
	bus        *Bus
	c          jetstream.Consumer
	maxDeliver int
	stage      string
}

// Consumer creates (or binds to) a durable pull consumer.
func (b *Bus) Consumer(ctx context.Context, opts ConsumerOptions) (*Consumer, error) {
	if opts.AckWait == 0 {
		opts.AckWait = 30 * time.Second
	}
	if opts.MaxDeliver <= 0 {
		opts.MaxDeliver = -1
	}
	if opts.MaxAckPending <= 0 {
		opts.MaxAckPending = 20000
	}
	c, err := b.js.CreateOrUpdateConsumer(ctx, opts.Stream, jetstream.ConsumerConfig{
		Durable:       opts.Durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       opts.AckWait,
		MaxDeliver:    opts.MaxDeliver,
		MaxAckPending: opts.MaxAckPending,
		FilterSubject: opts.Filter,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("consumer %q on %q: %w", opts.Durable, opts.Stream, err)
	}
	return &Consumer{bus: b, c: c, maxDeliver: opts.MaxDeliver, stage: opts.Durable}, nil
}

// Pending reports how many messages wait for this consumer (not yet
// delivered plus delivered and unacknowledged).
func (c *Consumer) Pending(ctx context.Context) (uint64, error) {
	info, err := c.c.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.NumPending + uint64(info.NumAckPending), nil
}

// Fetch waits until n messages have arrived or wait has passed, and returns
// those that did: it fills a batch, for a stage that writes in batches. It
// returns an empty slice, not an error, when none arrived in time.
func (c *Consumer) Fetch(ctx context.Context, n int, wait time.Duration) ([]*Msg, error) {
	if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
		wait = max(time.Until(d), time.Millisecond)
	}
	batch, err := c.c.Fetch(n, jetstream.FetchMaxWait(wait))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("fetch from %q: %w", c.stage, err)
	}
	return c.collect(ctx, batch)
}

// Next returns up to n messages as soon as there are any: those waiting
// now, or else the first to arrive within wait (none if none does). Unlike
// Fetch, it never holds messages back to fill a batch, for a stage that
// handles messages one by one.
func (c *Consumer) Next(ctx context.Context, n int, wait time.Duration) ([]*Msg, error) {
	batch, err := c.c.FetchNoWait(n)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("fetch from %q: %w", c.stage, err)
	}
	msgs, err := c.collect(ctx, batch)
	if len(msgs) > 0 || err != nil {
		return msgs, err
	}
	msgs, err = c.Fetch(ctx, 1, wait)
	if len(msgs) == 0 || err != nil || n == 1 {
		return msgs, err
	}
	// More may have come with the first.
	if batch, err = c.c.FetchNoWait(n - 1); err != nil {
		return msgs, nil // the next call tries again
	}
	more, _ := c.collect(ctx, batch)
	return append(msgs, more...), nil
}

// collect drains a batch into Msgs; a timeout or an empty batch is no error.
func (c *Consumer) collect(ctx context.Context, batch jetstream.MessageBatch) ([]*Msg, error) {
	var msgs []*Msg
	for m := range batch.Messages() {
		msgs = append(msgs, &Msg{m: m, consumer: c})
	}
	if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
		if ctx.Err() != nil {
			return msgs, ctx.Err()
		}
		return msgs, fmt.Errorf("fetch from %q: %w", c.stage, err)
	}
	return msgs, nil
}

// Msg is one delivered message. Exactly one of Ack, Nak or DeadLetter
// settles it; an unsettled message is redelivered after the consumer's AckWait.
type Msg struct {
	m        jetstream.Msg
	consumer *Consumer
}

// Data is the message payload.
func (m *Msg) Data() []byte { return m.m.Data() }

// Subject is the subject the message was published on.
func (m *Msg) Subject() string { return m.m.Subject() }

// ID is the message id it was published with.
func (m *Msg) ID() string { return m.m.Headers().Get(jetstream.MsgIDHeader) }

// Deliveries is how often the message has been delivered, this time included.
func (m *Msg) Deliveries() uint64 {
	md, err := m.m.Metadata()
	if err != nil {
		return 1
	}
	return md.NumDelivered
}

// LastDelivery reports whether this is the message's last delivery before
// the consumer gives up on it; callers dead-letter it rather than Nak.
// It is always false on a consumer without a delivery limit.
func (m *Msg) LastDelivery() bool {
	return m.consumer.maxDeliver > 0 && m.Deliveries() >= uint64(m.consumer.maxDeliver)
}

// InProgress tells the server the message is still being worked on, which
// restarts its ack wait so that it is not redelivered meanwhile.
func (m *Msg) InProgress() error { return m.m.InProgress() }

// Ack acknowledges the message and waits for the server to confirm, so that
// a confirmed ack is never redelivered.
func (m *Msg) Ack(ctx context.Context) error { return m.m.DoubleAck(ctx) }

// AckNoWait acknowledges the message without waiting for the server to
// confirm. Only for messages whose redelivery is harmless (the indexer's:
// the store writes by id), where a round trip per message would cost more
// than the work: a lost ack just means one more delivery.
func (m *Msg) AckNoWait() error { return m.m.Ack() }

// Nak asks for redelivery after delay.
func (m *Msg) Nak(delay time.Duration) error { return m.m.NakWithDelay(delay) }

// DeadLetter moves the message to the dead-letter stream with reason, then
// terminates it so it is never redelivered. The reason must not contain ad
// text or phone numbers: operators read it.
func (m *Msg) DeadLetter(ctx context.Context, reason string) error {
	out := nats.NewMsg("ads.dead." + m.consumer.stage)
	out.Data = m.m.Data()
	out.Header.Set("Adwatch-Reason", reason)
	out.Header.Set("Adwatch-Subject", m.m.Subject())
	id := m.ID()
	if md, err := m.m.Metadata(); err == nil {
		id = fmt.Sprintf("%s:%s:%d", m.consumer.stage, md.Stream, md.Sequence.Stream)
	}
	if _, err := m.consumer.bus.js.PublishMsg(ctx, out, jetstream.WithMsgID(id)); err != nil {
		return fmt.Errorf("dead-letter: %w", err)
	}
	return m.m.TermWithReason(reason)
}

// KV is a key-value bucket.
type KV struct {
	kv jetstream.KeyValue
}

// ErrKeyNotFound is returned by KV.Get for a missing key.
var ErrKeyNotFound = errors.New("key not found")

// KeyValue creates or binds to the named bucket.
func (b *Bus) KeyValue(ctx context.Context, bucket string, replicas int) (*KV, error) {
	if replicas < 1 {
		replicas = 1
	}
	kv, err := b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:   bucket,
		Storage:  jetstream.FileStorage,
		Replicas: replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("key-value bucket %q: %w", bucket, err)
	}
	return &KV{kv: kv}, nil
}

// Get returns the value of key, or ErrKeyNotFound.
func (k *KV) Get(ctx context.Context, key string) ([]byte, error) {
	e, err := k.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, err
	}
	return e.Value(), nil
}

// Put stores value under key; it returns once the server has stored it.
func (k *KV) Put(ctx context.Context, key string, value []byte) error {
	_, err := k.kv.Put(ctx, key, value)
	return err
}

// Keys lists every key of the bucket (none is not an error).
func (k *KV) Keys(ctx context.Context) ([]string, error) {
	lister, err := k.kv.ListKeys(ctx)
	if err != nil {
		return nil, err
	}
	var keys []string
	for key := range lister.Keys() {
		keys = append(keys, key)
	}
	return keys, nil
}
