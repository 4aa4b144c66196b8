package classifier

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
)

// Source delivers raw-ad messages: up to n, waiting up to wait.
type Source interface {
	Fetch(ctx context.Context, n int, wait time.Duration) ([]*bus.Msg, error)
}

// Publisher stores a message durably before returning; msgID makes a
// republish of the same message a no-op.
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) error
}

// RulesSource gives the rules to score the next ad with: a *Rules (fixed)
// or a *Reloader (kept current from the rule files).
type RulesSource interface {
	Current() *Rules
}

// Stage is the classifier stage of the pipeline: it scores raw ads from a
// Source and publishes scored ads.
type Stage struct {
	src    Source
	pub    Publisher
	rules  RulesSource
	logger *slog.Logger

	scored, deadLettered atomic.Int64
}

// NewStage returns a stage that scores ads from src with the rules that
// rules gives at the time (a *Rules, or a *Reloader whose Run keeps them
// current) and publishes them with pub.
func NewStage(src Source, pub Publisher, rules RulesSource, logger *slog.Logger) *Stage {
	return &Stage{src: src, pub: pub, rules: rules, logger: logger}
}

// Scored is how many ads the stage has scored and published.
func (s *Stage) Scored() int64 { return s.scored.Load() }

// Run scores ads until ctx ends, then finishes the batch in hand and returns
// nil. A raw ad is acknowledged only after its scored ad was stored by the
// bus, so a kill at any moment leaves it to be redelivered; its scored
// message id (ad, version, rules version) makes the republish a no-op.
func (s *Stage) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		msgs, err := s.src.Fetch(ctx, 64, 500*time.Millisecond)
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("fetch raw ads failed; retrying", "err", err)
			sleep(ctx, time.Second)
		}
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		for _, m := range msgs {
			s.handle(bctx, m)
		}
		cancel()
	}
	return nil
}

func (s *Stage) handle(ctx context.Context, m *bus.Msg) {
	var r ad.Raw
	if err := json.Unmarshal(m.Data(), &r); err != nil || r.ID == "" || r.Site == "" {
		reason := "raw ad without id or site"
		if err != nil {
			reason = fmt.Sprintf("raw ad is not valid JSON: %v", err)
		}
		s.deadLetter(ctx, m, reason)
		return
	}
	scored := ad.Scored{Raw: r, Assessment: s.rules.Current().Classify(r), ScoredAt: time.Now().UTC()}
	data, err := json.Marshal(scored)
	if err != nil {
		s.deadLetter(ctx, m, fmt.Sprintf("cannot encode scored ad: %v", err))
		return
	}
	id := r.ID + "." + r.Version() + "." + scored.RulesVersion
	if err := s.pub.Publish(ctx, bus.ScoredSubject(r.Site), id, data); err != nil {
		s.logger.Warn("publishing a scored ad failed; it will be redelivered", "ad", r.ID, "err", err)
		_ = m.Nak(2 * time.Second)
		return
	}
	if err := m.Ack(ctx); err != nil {
		s.logger.Warn("ack failed; the ad will be scored again and its republish dropped as a duplicate", "ad", r.ID, "err", err)
	}
	s.scored.Add(1)
}

func (s *Stage) deadLetter(ctx context.Context, m *bus.Msg, reason string) {
	s.deadLettered.Add(1)
	s.logger.Warn("dead-lettering a raw ad", "reason", reason)
	if err := m.DeadLetter(ctx, reason); err != nil {
		s.logger.Error("dead-letter failed; the message will be redelivered", "err", err)
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
