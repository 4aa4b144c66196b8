package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/adwatch/adwatch/classifier"
	"github.com/adwatch/adwatch/crawler"
	"github.com/adwatch/adwatch/web"
)

// setup loads the configuration, lets bind add the command's flags (with
// the configuration as their defaults), parses args and makes the logger.
func setup(name string, args []string, stderr io.Writer, adjust func(*Config), bind func(*Config, *flag.FlagSet)) (Config, *slog.Logger, error) {
	cfg, err := loadConfig(args, os.Getenv)
	if err != nil {
		return cfg, nil, err
	}
	if adjust != nil {
		adjust(&cfg)
	}
	fs := newFlagSet(name, stderr)
	cfg.bindCommon(fs)
	bind(&cfg, fs)
	if err := parse(fs, args); err != nil {
		return cfg, nil, err
	}
	logger, err := newLogger(stderr, cfg.LogLevel)
	return cfg, logger, err
}

func cmdRun(ctx context.Context, args []string, stderr io.Writer, demo bool) error {
	name := "run"
	var adjust func(*Config)
	if demo {
		name = "demo"
		adjust = func(c *Config) {
			if os.Getenv("ADWATCH_DATA") == "" {
				c.Data = "data/demo" // keep the demo's state apart from a real run's
			}
		}
	}
	var every time.Duration
	var seed uint64
	var simAds int
	cfg, logger, err := setup(name, args, stderr, adjust, func(c *Config, fs *flag.FlagSet) {
		c.bindData(fs)
		c.bindNATS(fs)
		c.bindES(fs)
		c.bindAddr(fs)
		c.bindSites(fs)
		c.bindRules(fs)
		fs.DurationVar(&every, "progress", 2*time.Second, "how often to print the progress line (0: never)")
		if demo {
			fs.Uint64Var(&seed, "seed", 1, "seed of the simulated sites' content")
			fs.IntVar(&simAds, "sim-ads", 0, "ads per simulated site (0: the simulator's defaults)")
		}
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var beforeStart func([]*crawler.Site) error
	if demo {
		beforeStart = func(sites []*crawler.Site) error {
			return startSimulator(ctx, seed, simAds, cfg.Sites, sites, logger)
		}
	}
	return runStages(ctx, cfg, allStages, logger, stderr, every, beforeStart)
}

// cmdStage runs one stage as its own process, against an external NATS.
func cmdStage(ctx context.Context, name string, args []string, stderr io.Writer) error {
	var every time.Duration
	stages := map[string]stageSet{
		"crawl": {crawl: true}, "classify": {classify: true}, "index": {index: true}, "serve": {serve: true},
	}[name]
	cfg, logger, err := setup(name, args, stderr, nil, func(c *Config, fs *flag.FlagSet) {
		c.bindData(fs)
		if !stages.serve {
			c.bindNATS(fs)
		}
		if stages.index || stages.serve {
			c.bindES(fs)
		}
		if stages.serve {
			c.bindAddr(fs)
		} else {
			c.bindMetrics(fs)
		}
		if stages.crawl {
			c.bindSites(fs)
		}
		if stages.classify {
			c.bindRules(fs)
		}
		fs.DurationVar(&every, "progress", 10*time.Second, "how often to print the progress line (0: never)")
	})
	if err != nil {
		return err
	}
	if !stages.serve && cfg.NATS.URL == "" {
		return usagef("as its own process, %s needs --nats (or ADWATCH_NATS_URL, or nats.url in the config); 'adwatch run' runs every stage in one process with an embedded NATS", name)
	}
	return runStages(ctx, cfg, stages, logger, stderr, every, nil)
}

// runStages loads what the stages need, starts them and waits until ctx
// ends or one of them fails.
func runStages(ctx context.Context, cfg Config, stages stageSet, logger *slog.Logger, stderr io.Writer, every time.Duration, beforeStart func([]*crawler.Site) error) error {
	if stages.serve {
		if err := web.CheckLoopback(cfg.Addr); err != nil {
			return usageError{fmt.Sprintf("--addr: %v", err)}
		}
	} else if cfg.MetricsAddr != "" {
		if err := web.CheckLoopback(cfg.MetricsAddr); err != nil {
			return usageError{fmt.Sprintf("--metrics-addr: %v", err)}
		}
	}
	pc := pipelineConfig{cfg: cfg, stages: stages, logger: logger}
	var err error
	if stages.crawl {
		if pc.sites, err = crawler.LoadSites(cfg.Sites); err != nil {
			return err
		}
	}
	if stages.classify {
		// Rule files are read again when they change; a broken edit is
		// logged and the rules in use stay.
		rl, err := classifier.NewReloader(cfg.Rules, 0, logger.With("component", "rules"))
		if err != nil {
			return err
		}
		pc.rules = rl
		pc.runs = append(pc.runs, rl.Run)
	}
	if beforeStart != nil {
		if err := beforeStart(pc.sites); err != nil {
			return err
		}
	}
	p, err := startPipeline(ctx, pc)
	if err != nil {
		return err
	}
	defer p.close()
	if stages.serve {
		logger.Info("adwatch is running; open the UI", "url", "http://"+cfg.Addr)
	} else {
		logger.Info("adwatch is running")
	}
	if every > 0 {
		go p.printProgress(ctx, stderr, every)
	}
	err = p.wait()
	fmt.Fprintln(stderr, "stopped;", p.progress())
	return err
}
