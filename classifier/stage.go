package classifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/classifier/crossad"
	"github.com/adwatch/adwatch/internal/wait"
)

// Source delivers raw-ad messages: up to n as soon as there are any,
// waiting up to wait for the first.
type Source interface {
	Next(ctx context.Context, n int, wait time.Duration) ([]*bus.Msg, error)
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

// Linker links each ad with the ads before it (a *crossad.Linker): Link
// returns the ad's cross-ad indicators and the earlier ads whose
// indicators it changed; Current gives one of those back to re-score;
// Done records that an ad was published with the indicators of change seq.
type Linker interface {
	Link(ctx context.Context, r ad.Raw) (linked crossad.Linked, affected []string, err error)
	Current(ctx context.Context, id string) (ad.Raw, crossad.Linked, error)
	Done(ctx context.Context, id string, seq uint64) error
}

// Stage is the classifier stage of the pipeline: it scores raw ads from a
// Source and publishes scored ads.
type Stage struct {
	src    Source
	pub    Publisher
	rules  RulesSource
	linker Linker // nil: single-ad indicators only
	opts   StageOptions
	logger *slog.Logger

	scored, rescored, superseded, deadLettered atomic.Int64
}

// StageOptions configure a Stage; zero values mean the defaults.
type StageOptions struct {
	// Linker links each ad with the others: each ad is then scored with
	// its cross-ad indicators too, and the earlier ads of a pattern it
	// completes (or breaks) are re-scored and published again. Nil scores
	// ads on their own.
	Linker Linker
	// Workers is how many ads are handled at once (default 4). Handling an
	// ad waits mostly on the bus (publishing, and the linking state's
	// round trips), so a few at once use the core better. The versions of
	// one ad are always handled one after the other, in order.
	Workers int
}

// NewStage returns a stage that scores ads from src with the rules that
// rules gives at the time (a *Rules, or a *Reloader whose Run keeps them
// current) and publishes them with pub.
func NewStage(src Source, pub Publisher, rules RulesSource, logger *slog.Logger, opts StageOptions) *Stage {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	return &Stage{src: src, pub: pub, rules: rules, linker: opts.Linker, opts: opts, logger: logger}
}

// Scored is how many raw ads the stage has scored and published.
func (s *Stage) Scored() int64 { return s.scored.Load() }

// Rescored is how many times the stage re-scored and republished an
// earlier ad because a later one changed its cross-ad indicators.
func (s *Stage) Rescored() int64 { return s.rescored.Load() }

// Run scores ads until ctx ends, then finishes the batch in hand and returns
// nil. A raw ad is acknowledged only after its scored ad, and every earlier
// ad it re-scored, was stored by the bus, so a kill at any moment leaves it
// to be redelivered: the linking state hands back the same ads to re-score
// until they are published (crossad.Linker.Done), and a scored message's
// id (ad, version, rules version, change sequence) makes every republish
// of the same thing a no-op.
func (s *Stage) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		msgs, err := s.src.Next(ctx, 64, 500*time.Millisecond)
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("fetch raw ads failed; retrying", "err", err)
			wait.Sleep(ctx, time.Second)
		}
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		s.handleAll(bctx, msgs)
		cancel()
	}
	return nil
}

// handleAll handles msgs on the stage's workers: the messages of one ad go
// to one worker, in order, so that its versions are linked in the order
// they were published.
func (s *Stage) handleAll(ctx context.Context, msgs []*bus.Msg) {
	lanes := make([][]rawMsg, min(s.opts.Workers, len(msgs)))
	for _, m := range msgs {
		rm := rawMsg{m: m}
		rm.err = json.Unmarshal(m.Data(), &rm.r)
		h := fnv.New32a()
		h.Write([]byte(rm.r.ID))
		i := h.Sum32() % uint32(len(lanes))
		lanes[i] = append(lanes[i], rm)
	}
	if len(lanes) == 1 {
		for _, rm := range lanes[0] {
			s.handle(ctx, rm)
		}
		return
	}
	var wg sync.WaitGroup
	for _, lane := range lanes {
		wg.Go(func() {
			for _, rm := range lane {
				s.handle(ctx, rm)
			}
		})
	}
	wg.Wait()
}

// rawMsg is a raw-ad message with the ad decoded from it, or why not.
type rawMsg struct {
	m   *bus.Msg
	r   ad.Raw
	err error
}

func (s *Stage) handle(ctx context.Context, rm rawMsg) {
	m, r := rm.m, rm.r
	if rm.err != nil || r.ID == "" || r.Site == "" {
		reason := "raw ad without id or site"
		if rm.err != nil {
			reason = fmt.Sprintf("raw ad is not valid JSON: %v", rm.err)
		}
		s.deadLetter(ctx, m, reason)
		return
	}
	rules := s.rules.Current()
	var linked crossad.Linked
	var affected []string
	if s.linker != nil {
		var err error
		linked, affected, err = s.linker.Link(ctx, r)
		if errors.Is(err, crossad.ErrSuperseded) {
			// A redelivered version the next one overtook: what it would
			// publish is older than what is published.
			s.superseded.Add(1)
			s.logger.Debug("skipping a raw ad superseded by its next version", "ad", r.ID)
			s.ack(ctx, m, r.ID)
			return
		}
		if err != nil {
			s.logger.Warn("linking an ad with the others failed; it will be redelivered", "ad", r.ID, "err", err)
			_ = m.Nak(2 * time.Second)
			return
		}
	}
	if err := s.publish(ctx, rules, r, linked); err != nil {
		var bad badAdError
		if errors.As(err, &bad) {
			s.deadLetter(ctx, m, bad.Error())
			return
		}
		s.logger.Warn("publishing a scored ad failed; it will be redelivered", "ad", r.ID, "err", err)
		_ = m.Nak(2 * time.Second)
		return
	}
	// The earlier ads of a pattern this one completed (or broke) show it.
	for _, id := range affected {
		if err := s.rescore(ctx, rules, id); err != nil {
			s.logger.Warn("re-scoring a linked ad failed; the ad that changed it will be redelivered", "ad", r.ID, "linked_ad", id, "err", err)
			_ = m.Nak(2 * time.Second)
			return
		}
	}
	if s.linker != nil {
		if err := s.linker.Done(ctx, r.ID, linked.Seq); err != nil {
			// The ad stays marked; its next Link republishes it, as a
			// duplicate the bus drops if nothing changed meanwhile.
			s.logger.Warn("recording a publish in the linking state failed", "ad", r.ID, "err", err)
		}
	}
	s.ack(ctx, m, r.ID)
	s.scored.Add(1)
}

func (s *Stage) ack(ctx context.Context, m *bus.Msg, id string) {
	if err := m.Ack(ctx); err != nil {
		s.logger.Warn("ack failed; the ad will be scored again and its republish dropped as a duplicate", "ad", id, "err", err)
	}
}

// badAdError is a raw ad that cannot be published whatever is tried.
type badAdError struct{ error }

// publish scores r with its cross-ad indicators and publishes it under a
// message id that names everything the scored ad depends on.
func (s *Stage) publish(ctx context.Context, rules *Rules, r ad.Raw, linked crossad.Linked) error {
	scored := ad.Scored{
		Raw:        r,
		Assessment: rules.ClassifyLinked(r, linked.Indicators),
		ScoredAt:   time.Now().UTC(),
		LinkSeq:    linked.Seq,
	}
	data, err := json.Marshal(scored)
	if err != nil {
		return badAdError{fmt.Errorf("cannot encode scored ad: %w", err)}
	}
	id := r.ID + "." + r.Version() + "." + scored.RulesVersion + linked.MsgIDSuffix()
	return s.pub.Publish(ctx, bus.ScoredSubject(r.Site), id, data)
}

// rescore scores the earlier ad id again with its current cross-ad
// indicators, republishes it, and records that in the linking state.
func (s *Stage) rescore(ctx context.Context, rules *Rules, id string) error {
	raw, linked, err := s.linker.Current(ctx, id)
	if errors.Is(err, crossad.ErrUnknownAd) {
		return nil // expired from the linking state meanwhile
	}
	if err != nil {
		return err
	}
	err = s.publish(ctx, rules, raw, linked)
	var bad badAdError
	switch {
	case errors.As(err, &bad):
		// Trying again cannot help, and must not hold up the ad that
		// changed it: leave it as last published.
		s.logger.Error("cannot re-score a linked ad", "ad", id, "err", err)
	case err != nil:
		return err
	default:
		s.rescored.Add(1)
	}
	return s.linker.Done(ctx, id, linked.Seq)
}

func (s *Stage) deadLetter(ctx context.Context, m *bus.Msg, reason string) {
	s.deadLettered.Add(1)
	s.logger.Warn("dead-lettering a raw ad", "reason", reason)
	if err := m.DeadLetter(ctx, reason); err != nil {
		s.logger.Error("dead-letter failed; the message will be redelivered", "err", err)
	}
}
