package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/classifier"
)

// cmdRescore scores every stored ad again with the current rule files and
// publishes the new assessments, which the indexer then writes over the
// old ones. The scored-ad stream is the record of every ad; its last
// version of each ad is what gets re-scored.
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
	type last struct {
		raw   ad.Raw
		rules string
	}
	latest := map[string]last{}
	var order []string
	read := newProgressBar(stderr, "read   ")
	err = p.bus.Replay(ctx, bus.ScoredStream, 500, func(data [][]byte, done, total uint64) error {
		for _, d := range data {
			var s ad.Scored
			if json.Unmarshal(d, &s) != nil || s.ID == "" {
				continue // the indexer dead-letters these
			}
			if _, ok := latest[s.ID]; !ok {
				order = append(order, s.ID)
			}
			latest[s.ID] = last{raw: s.Raw, rules: s.RulesVersion}
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
		l := latest[id]
		if l.rules == version {
			current++
			bar.update(uint64(i+1), uint64(len(order)))
			continue
		}
		scored := ad.Scored{Raw: l.raw, Assessment: rules.Classify(l.raw), ScoredAt: time.Now().UTC()}
		data, err := json.Marshal(scored)
		if err != nil {
			return err
		}
		if err := p.bus.Publish(ctx, bus.ScoredSubject(l.raw.Site), id+"."+l.raw.Version()+"."+version, data); err != nil {
			return err
		}
		bar.update(uint64(i+1), uint64(len(order)))
	}
	bar.finish()
	fmt.Fprintf(stderr, "rescore: %d ads re-scored with rules %s (%d were already)\n", len(order)-current, version, current)
	return nil
}
