package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config is adwatch's process configuration: configs/adwatch.yaml documents
// every field. Each value comes from, in rising precedence: the defaults
// below, the config file, an ADWATCH_* environment variable, a flag.
type Config struct {
	// Data holds JetStream's storage (embedded mode) and the embedded index.
	Data string `yaml:"data"`
	// Addr is the loopback host:port of the web UI and API.
	Addr     string `yaml:"addr"`
	Sites    string `yaml:"sites"` // directory of site configs
	Rules    string `yaml:"rules"` // directory of rule files
	LogLevel string `yaml:"log_level"`
	// MetricsAddr is a loopback host:port where a stage process without the
	// web server serves /metrics; empty for none.
	MetricsAddr string `yaml:"metrics_addr"`

	NATS NATSConfig `yaml:"nats"`
	ES   ESConfig   `yaml:"elasticsearch"`
}

// NATSConfig says where the bus is. An empty URL means the embedded server.
type NATSConfig struct {
	URL      string `yaml:"url"`
	Creds    string `yaml:"creds"`
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// Replicas of the streams and buckets: 1 for one server, 3 for a cluster.
	Replicas int `yaml:"replicas"`
	// Listen makes the embedded server accept network clients too.
	Listen string `yaml:"listen"`
}

// ESConfig says where Elasticsearch is. An empty URL means the embedded index.
type ESConfig struct {
	URL      string `yaml:"url"` // comma-separated for several nodes
	APIKey   string `yaml:"api_key"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	CAFile   string `yaml:"ca_file"`
	Index    string `yaml:"index"` // the alias searched and written
}

// DefaultConfig is the configuration before any file, variable or flag.
func DefaultConfig() Config {
	return Config{
		Data:     "data/run",
		Addr:     "127.0.0.1:8080",
		Sites:    "configs/sites",
		Rules:    "configs/rules",
		LogLevel: "info",
		NATS:     NATSConfig{Replicas: 1},
		ES:       ESConfig{Index: "adwatch-ads"},
	}
}

// DefaultConfigFile is read when present and no --config is given.
const DefaultConfigFile = "configs/adwatch.yaml"

// loadConfig reads the config file named by --config in args (or the
// default file, when it exists), then the environment. Flags are applied by
// the caller, which binds them with the result as their defaults.
func loadConfig(args []string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	path, explicit := configFlag(args)
	if path == "" {
		path = DefaultConfigFile
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := decodeConfig(path, data, &cfg); err != nil {
			return cfg, err
		}
	case explicit || !errors.Is(err, os.ErrNotExist):
		return cfg, fmt.Errorf("--config: %w", err)
	}
	return cfg, applyEnv(&cfg, getenv)
}

// configFlag finds --config's value before the flags are parsed, since the
// file gives the other flags their defaults.
func configFlag(args []string) (path string, ok bool) {
	for i, a := range args {
		for _, name := range []string{"-config", "--config"} {
			if a == name && i+1 < len(args) {
				return args[i+1], true
			}
			if v, found := strings.CutPrefix(a, name+"="); found {
				return v, true
			}
		}
	}
	return "", false
}

func decodeConfig(path string, data []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			var errs []error
			for _, e := range te.Errors {
				errs = append(errs, fmt.Errorf("%s:%s", path, strings.TrimPrefix(e, "line ")))
			}
			return errors.Join(errs...)
		}
		if strings.Contains(err.Error(), "EOF") && len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if cfg.NATS.Replicas < 1 || cfg.NATS.Replicas > 5 {
		return fmt.Errorf("%s: nats.replicas: %d must be from 1 to 5", path, cfg.NATS.Replicas)
	}
	return nil
}

// envVars maps each ADWATCH_* variable to the field it sets.
func envVars(cfg *Config) map[string]*string {
	return map[string]*string{
		"ADWATCH_DATA":           &cfg.Data,
		"ADWATCH_ADDR":           &cfg.Addr,
		"ADWATCH_SITES":          &cfg.Sites,
		"ADWATCH_RULES":          &cfg.Rules,
		"ADWATCH_LOG_LEVEL":      &cfg.LogLevel,
		"ADWATCH_METRICS_ADDR":   &cfg.MetricsAddr,
		"ADWATCH_NATS_URL":       &cfg.NATS.URL,
		"ADWATCH_NATS_CREDS":     &cfg.NATS.Creds,
		"ADWATCH_NATS_CA_FILE":   &cfg.NATS.CAFile,
		"ADWATCH_NATS_CERT_FILE": &cfg.NATS.CertFile,
		"ADWATCH_NATS_KEY_FILE":  &cfg.NATS.KeyFile,
		"ADWATCH_NATS_LISTEN":    &cfg.NATS.Listen,
		"ADWATCH_ES_URL":         &cfg.ES.URL,
		"ADWATCH_ES_API_KEY":     &cfg.ES.APIKey,
		"ADWATCH_ES_USERNAME":    &cfg.ES.Username,
		"ADWATCH_ES_PASSWORD":    &cfg.ES.Password,
		"ADWATCH_ES_CA_FILE":     &cfg.ES.CAFile,
		"ADWATCH_ES_INDEX":       &cfg.ES.Index,
	}
}

func applyEnv(cfg *Config, getenv func(string) string) error {
	for name, dst := range envVars(cfg) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	if v := getenv("ADWATCH_NATS_REPLICAS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			return fmt.Errorf("ADWATCH_NATS_REPLICAS: %q must be a number from 1 to 5", v)
		}
		cfg.NATS.Replicas = n
	}
	return nil
}

// Flag groups: each command binds the ones it uses.

func (c *Config) bindCommon(fs *flag.FlagSet) {
	fs.String("config", DefaultConfigFile, "config `file` (flags and ADWATCH_* variables override it)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log `level`: debug, info, warn or error")
}

func (c *Config) bindData(fs *flag.FlagSet) {
	fs.StringVar(&c.Data, "data", c.Data, "data `directory` (embedded JetStream storage and embedded index)")
}

func (c *Config) bindNATS(fs *flag.FlagSet) {
	fs.StringVar(&c.NATS.URL, "nats", c.NATS.URL, "NATS server `URLs` (comma-separated); empty: the embedded server")
	fs.StringVar(&c.NATS.Creds, "nats-creds", c.NATS.Creds, "NATS credentials `file`")
	fs.StringVar(&c.NATS.CAFile, "nats-ca", c.NATS.CAFile, "CA `file` for NATS TLS")
	fs.StringVar(&c.NATS.CertFile, "nats-cert", c.NATS.CertFile, "client certificate `file` for NATS TLS")
	fs.StringVar(&c.NATS.KeyFile, "nats-key", c.NATS.KeyFile, "client key `file` for NATS TLS")
	fs.IntVar(&c.NATS.Replicas, "nats-replicas", c.NATS.Replicas, "stream and bucket replicas (3 on a cluster)")
}

func (c *Config) bindES(fs *flag.FlagSet) {
	fs.StringVar(&c.ES.URL, "es", c.ES.URL, "Elasticsearch `URLs` (comma-separated); empty: the embedded index")
	fs.StringVar(&c.ES.APIKey, "es-api-key", c.ES.APIKey, "Elasticsearch API `key` (prefer ADWATCH_ES_API_KEY)")
	fs.StringVar(&c.ES.Username, "es-user", c.ES.Username, "Elasticsearch basic-auth `user`")
	fs.StringVar(&c.ES.Password, "es-password", c.ES.Password, "Elasticsearch basic-auth `password` (prefer ADWATCH_ES_PASSWORD)")
	fs.StringVar(&c.ES.CAFile, "es-ca", c.ES.CAFile, "CA `file` for Elasticsearch TLS")
	fs.StringVar(&c.ES.Index, "es-index", c.ES.Index, "Elasticsearch `alias` to write and search")
}

func (c *Config) bindMetrics(fs *flag.FlagSet) {
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "loopback `host:port` to serve Prometheus /metrics on (stages without the web UI)")
}

func (c *Config) bindAddr(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "loopback `host:port` of the web UI and API")
}

func (c *Config) bindSites(fs *flag.FlagSet) {
	fs.StringVar(&c.Sites, "sites", c.Sites, "`directory` of site configs")
}

func (c *Config) bindRules(fs *flag.FlagSet) {
	fs.StringVar(&c.Rules, "rules", c.Rules, "`directory` of rule files")
}
