package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/classifier"
	"github.com/adwatch/adwatch/classifier/crossad"
)

// cmdRescore scores every stored ad again with the current rule files and
// publishes the new assessments, which the indexer then writes over the
// old ones. The scored-ad stream is the record of every ad; the latest
// version of each ad in it (by ad.Scored.Revision) is what gets re-scored,
// with its cross-ad indicators as the linking state holds them now (or,
// for an ad past the state's retention, as they were stored).
func cmdRescore(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, logger, err := setup("rescore", args, stderr, nil, func(c *Config, fs *flag.FlagSet) {
		c.bindData(fs)
		c.bindNATS(fs)
		c.bindRules(fs)
	})
	if err != nil {
		return err
	}
	rules, err := classifier.LoadRules(cfg.Rules)
	if err != nil {
		return err
	}
	p := &pipeline{}
	defer p.close()
	if err := p.openBus(ctx, cfg, logger); err != nil {
		return err
	}
	linker, err := openLinker(ctx, p.bus, cfg.NATS.Replicas)
	if err != nil {
		return err
	}
	latest := map[string]ad.Scored{}
	var order []string
	read := newProgressBar(stderr, "read   ")
	err = p.bus.Replay(ctx, bus.ScoredStream, 500, func(data [][]byte, done, total uint64) error {
		for _, d := range data {
			var s ad.Scored
			if json.Unmarshal(d, &s) != nil || s.ID == "" {
				continue // the indexer dead-letters these
			}
			prev, ok := latest[s.ID]
			if !ok {
				order = append(order, s.ID)
			}
			if !ok || s.Revision() >= prev.Revision() {
				latest[s.ID] = s
			}
		}
		read.update(done, total)
		return nil
	})
	read.finish()
	if err != nil {
		return err
	}
	version := rules.Version()
	bar := newProgressBar(stderr, "rescore")
	current := 0
	for i, id := range order {
		bar.update(uint64(i+1), uint64(len(order)))
		raw, linked, err := linker.Current(ctx, id)
		switch {
		case errors.Is(err, crossad.ErrUnknownAd):
			stored := latest[id]
			raw, linked = stored.Raw, crossad.Linked{Seq: stored.LinkSeq}
			for _, ind := range stored.Indicators {
				if slices.Contains(crossad.IDs, ind.ID) {
					linked.Indicators = append(linked.Indicators, ind)
				}
			}
		case err != nil:
			return err
		}
		if latest[id].RulesVersion == version && latest[id].LinkSeq == linked.Seq {
			current++
			continue
		}
		scored := ad.Scored{Raw: raw, Assessment: rules.ClassifyLinked(raw, linked.Indicators), ScoredAt: time.Now().UTC(), LinkSeq: linked.Seq}
		data, err := json.Marshal(scored)
		if err != nil {
			return err
		}
		msgID := id + "." + raw.Version() + "." + version + linked.MsgIDSuffix()
		if err := p.bus.Publish(ctx, bus.ScoredSubject(raw.Site), msgID, data); err != nil {
			return err
		}
	}
	bar.finish()
	fmt.Fprintf(stderr, "rescore: %d ads re-scored with rules %s (%d were already)\n", len(order)-current, version, current)
	return nil
}
