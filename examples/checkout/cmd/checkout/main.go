// Command checkout serves the checkout API: it turns a cart into an order and records it.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/acme/checkout/internal/orders"
)

// version is set at build time: -ldflags "-X main.version=v1.4.2".
var version = "dev"

// shutdownTimeout leaves room inside terminationGracePeriodSeconds (30 s) for the
// preStop sleep (5 s) that lets the endpoints controller take the pod out of rotation.
const shutdownTimeout = 20 * time.Second

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "checkout:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	logger, err := newLogger(cfg.logLevel)
	if err != nil {
		return err
	}
	defer func() { _ = logger.Sync() }()

	// SIGTERM starts the drain: readiness fails, in-flight requests finish, then we exit.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	pool, err := pgxpool.New(ctx, cfg.databaseURL())
	if err != nil {
		return fmt.Errorf("database pool: %w", err)
	}
	defer pool.Close()

	var draining atomic.Bool
	api := &api{orders: orders.NewService(orders.NewPostgresStore(pool)), log: logger}

	mux := http.NewServeMux()
	// Liveness: the process answers. It never looks at the database, so a database
	// outage makes pods unready instead of restarting all of them.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	// Readiness: not draining, and the database answers within the probe's budget.
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if draining.Load() {
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		pingCtx, cancel := context.WithTimeout(r.Context(), 500*time.Millisecond)
		defer cancel()
		if err := pool.Ping(pingCtx); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", promhttp.Handler())
	mux.Handle("POST /v1/orders", instrument(api.createOrder))
	mux.Handle("GET /v1/orders/{id}", instrument(api.getOrder))

	srv := &http.Server{
		Addr:              net.JoinHostPort("", cfg.port),
		Handler:           requestID(mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		// Longer than the load balancer's 60 s idle timeout, so the LB closes idle
		// connections first and never sends a request into one we are closing.
		IdleTimeout: 120 * time.Second,
	}

	errc := make(chan error, 1)
	go func() {
		logger.Info("listening", zap.String("addr", srv.Addr), zap.String("version", version))
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	logger.Info("draining", zap.Duration("timeout", shutdownTimeout))
	draining.Store(true)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

type config struct {
	port       string
	logLevel   string
	dbHost     string
	dbPort     string
	dbName     string
	dbUser     string
	dbPassword string
	dbSSLMode  string
}

// loadConfig reads the environment. Non-secret settings come from the checkout-config
// ConfigMap; DB_PASSWORD comes from the checkout-db Secret.
func loadConfig() (config, error) {
	c := config{
		port:       getenv("PORT", "8080"),
		logLevel:   getenv("LOG_LEVEL", "info"),
		dbHost:     os.Getenv("DB_HOST"),
		dbPort:     getenv("DB_PORT", "5432"),
		dbName:     getenv("DB_NAME", "checkout"),
		dbUser:     getenv("DB_USER", "checkout_app"),
		dbPassword: os.Getenv("DB_PASSWORD"),
		dbSSLMode:  getenv("DB_SSLMODE", "require"),
	}
	if c.dbHost == "" {
		return c, errors.New("DB_HOST is required")
	}
	if _, err := strconv.Atoi(c.port); err != nil {
		return c, fmt.Errorf("PORT %q is not a port number", c.port)
	}
	return c, nil
}

func (c config) databaseURL() string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(c.dbUser, c.dbPassword),
		Host:     net.JoinHostPort(c.dbHost, c.dbPort),
		Path:     "/" + c.dbName,
		RawQuery: url.Values{"sslmode": {c.dbSSLMode}}.Encode(),
	}
	return u.String()
}

func getenv(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return fallback
}

// newLogger builds a JSON logger at the level LOG_LEVEL names (debug, info, warn, error).
func newLogger(level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	return cfg.Build(zap.Fields(zap.String("service", "checkout"), zap.String("version", version)))
}
