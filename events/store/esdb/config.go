package esdb

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// Defaults of Config.
const (
	DefaultRequestTimeout  = 10 * time.Second
	DefaultAppendAttempts  = 64
	DefaultSubscribeBuffer = 256
)

// Config configures the adapter. URL is required; every other zero field takes its
// default.
type Config struct {
	// URL is the EventStoreDB connection string, e.g.
	// "esdb://admin:changeit@db.example:2113" (TLS on, the default) or
	// "esdb://127.0.0.1:2113?tls=false". Credentials in the URL are sent with every call
	// (the client requires TLS for them); tlsCAFile=PATH trusts a private CA. The URL is
	// never logged or printed with its password: String and LogValue redact it.
	URL string
	// RequestTimeout bounds each call to the server when the caller's context has no
	// deadline (DefaultRequestTimeout). Subscriptions are not bounded.
	RequestTimeout time.Duration
	// AppendAttempts bounds how many times an append expecting Any or StreamExists is
	// retried when another writer moves the stream in between (DefaultAppendAttempts).
	AppendAttempts int
	// SubscribeBuffer is the capacity of a subscription's channel
	// (DefaultSubscribeBuffer).
	SubscribeBuffer int
	// StreamPrefix, when set, is prepended to every stream name in EventStoreDB
	// ("acme." stores stream opinion-6f1c… as acme.opinion-6f1c…), and $all is read
	// through it: events of other prefixes are skipped. It lets several deployments, or
	// test runs, share one database. Without it, every non-system event of the database
	// must be Comité's. Letters, digits, '.', '_' and '-'; not "$"-prefixed.
	StreamPrefix string
	// Logger receives the client's own logs at debug level (nil: discarded; the client
	// is noisy and would otherwise print to the standard logger).
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.AppendAttempts == 0 {
		c.AppendAttempts = DefaultAppendAttempts
	}
	if c.SubscribeBuffer == 0 {
		c.SubscribeBuffer = DefaultSubscribeBuffer
	}
	return c
}

// Validate checks the configuration, zero fields standing for their defaults. Its
// errors never contain the password.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if _, err := c.clientConfig(); err != nil {
		errs = append(errs, err)
	}
	if strings.HasPrefix(c.StreamPrefix, "$") || strings.Trim(c.StreamPrefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
		errs = append(errs, fmt.Errorf("stream prefix %q: letters, digits, '.', '_' and '-' only, not starting with $", c.StreamPrefix))
	}
	if c.RequestTimeout < 0 {
		errs = append(errs, errors.New("request timeout must not be negative"))
	}
	if c.AppendAttempts < 1 || c.SubscribeBuffer < 1 {
		errs = append(errs, errors.New("append attempts and subscribe buffer must be ≥ 1"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("esdb store config: %w", err)
	}
	return nil
}

// clientConfig parses URL into the client's configuration, with the client's logs sent
// to Logger.
func (c Config) clientConfig() (*client.Configuration, error) {
	if c.URL == "" {
		return nil, errors.New("no EventStoreDB URL (esdb://host:2113)")
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only the reason.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("invalid EventStoreDB URL %s: %s", c.redactedURL(), c.redact(err.Error()))
	}
	if u.Scheme != "esdb" && u.Scheme != "esdb+discover" {
		return nil, fmt.Errorf("EventStoreDB URL %s: scheme must be esdb or esdb+discover", c.redactedURL())
	}
	cfg, err := client.ParseConnectionString(c.URL)
	if err != nil {
		return nil, fmt.Errorf("EventStoreDB URL %s: %s", c.redactedURL(), c.redact(err.Error()))
	}
	cfg.Logger = client.NoopLogging()
	if l := c.Logger; l != nil {
		cfg.Logger = func(level client.LogLevel, format string, args ...any) {
			l.Debug(c.redact(fmt.Sprintf(format, args...)), "component", "esdb-client", "client_level", level)
		}
	}
	return cfg, nil
}

// redactedURL is URL with its password replaced (or a placeholder when it does not even
// parse).
func (c Config) redactedURL() string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return "<unparsable URL>"
	}
	return u.Redacted()
}

// redact removes the password from a text, in case a library quoted it.
func (c Config) redact(s string) string {
	if u, err := url.Parse(c.URL); err == nil {
		if p, ok := u.User.Password(); ok && p != "" {
			s = strings.ReplaceAll(s, p, "xxxxx")
		}
	} else if at := strings.LastIndex(c.URL, "@"); at > 0 {
		// Unparsable: drop anything that looks like user info.
		if colon := strings.Index(c.URL[:at], "://"); colon >= 0 {
			s = strings.ReplaceAll(s, c.URL[colon+3:at], "xxxxx")
		}
	}
	return s
}

// String describes the configuration with the password redacted.
func (c Config) String() string {
	c = c.withDefaults()
	return fmt.Sprintf("esdb.Config{URL: %s, StreamPrefix: %q, RequestTimeout: %s, AppendAttempts: %d, SubscribeBuffer: %d}",
		c.redactedURL(), c.StreamPrefix, c.RequestTimeout, c.AppendAttempts, c.SubscribeBuffer)
}

// GoString is String: %#v must not print the password either.
func (c Config) GoString() string { return c.String() }

// LogValue logs the configuration with the password redacted.
func (c Config) LogValue() slog.Value {
	c = c.withDefaults()
	return slog.GroupValue(slog.String("url", c.redactedURL()), slog.String("stream_prefix", c.StreamPrefix),
		slog.Duration("request_timeout", c.RequestTimeout))
}
