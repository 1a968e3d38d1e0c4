// A stand-in for DesterLib v0.2.0's API (apps/api/src at tag v0.2.0), for the proxy proofs.
//
// Copied from upstream, line for line where it matters to a proxy in front:
//   lib/middleware/setup.middleware.ts  trust proxy, helmet, compression, the rate limiter
//                                       (its options, key and skip rules), CORS
//   lib/websocket/index.ts              /ws on the HTTP server, no Origin check, every log entry broadcast
//   domains/logs, domains/settings      GET/DELETE /api/v1/logs, GET/PUT /api/v1/settings, unauthenticated
//   index.ts                            the database URL, password included, logged at start
// Not copied: the database, scans, streaming, TMDB. Those routes answer with a small JSON body.
//
// Every request also prints one JSON line on stdout (the double's own record, not DesterLib's log):
// which peer address, req.ip and Host the API saw, and whether the limiter counted it.

"use strict";

const http = require("http");
const os = require("os");
const express = require("express");
const cors = require("cors");
const helmet = require("helmet");
const compression = require("compression");
const rateLimit = require("express-rate-limit");
const { WebSocketServer, WebSocket } = require("ws");

const config = {
  port: parseInt(process.env.PORT || "3001", 10),
  host: process.env.HOST || "0.0.0.0",
  nodeEnv: process.env.NODE_ENV || "development",
  databaseUrl: process.env.DATABASE_URL || "postgresql://postgres:postgres@localhost:5432/desterlib_prod",
  rateLimitWindowMs: parseInt(process.env.RATE_LIMIT_WINDOW_MS || "900000"),
  rateLimitMax: parseInt(process.env.RATE_LIMIT_MAX || "100"),
};
const settings = { tmdbApiKey: process.env.TMDB_API_KEY || "", port: config.port, enableRouteGuards: false, firstRun: false };

// DesterLib's logger writes to the console, logs/combined.log and every WebSocket client.
const combinedLog = [];
const clients = new Set();
function log(level, message) {
  const entry = { timestamp: new Date().toISOString(), level, message };
  combinedLog.push(entry);
  const payload = JSON.stringify({ type: "log:message", ...entry });
  for (const client of clients) {
    if (client.readyState === WebSocket.OPEN) client.send(payload);
  }
}

function record(fields) {
  process.stdout.write(JSON.stringify({ double: "request", ...fields }) + "\n");
}

const limiter = rateLimit({
  windowMs: config.rateLimitWindowMs,
  max: config.rateLimitMax,
  message: "Too many requests from this IP, please try again later.",
  skip: (req) => {
    const isLocalhost =
      req.ip === "127.0.0.1" ||
      req.ip === "::1" ||
      req.ip === "localhost" ||
      req.hostname === "localhost" ||
      req.hostname === "127.0.0.1";
    req.doubleSkipped = isLocalhost ? "localhost" : "";
    if (isLocalhost) return true;
    const skipped =
      req.path.startsWith("/api/v1/scan") ||
      req.path.startsWith("/api/v1/stream") ||
      req.path.startsWith("/ws");
    req.doubleSkipped = skipped ? "path" : "";
    return skipped;
  },
});

function getLocalIpAddress() {
  const interfaces = os.networkInterfaces();
  for (const name of Object.keys(interfaces)) {
    for (const addr of interfaces[name] || []) {
      if (addr.family === "IPv4" && !addr.internal) return addr.address;
    }
  }
  return "127.0.0.1";
}
const localIp = getLocalIpAddress();

const app = express();

// The double's record of every request, written when the answer is sent.
app.use((req, res, next) => {
  res.on("finish", () => {
    record({
      method: req.method,
      path: req.path,
      peer: req.socket.remoteAddress,
      ip: req.ip,
      hostHeader: req.headers.host || "",
      hostname: req.hostname,
      xForwardedFor: req.headers["x-forwarded-for"] || "",
      status: res.statusCode,
      limiterSkipped: req.doubleSkipped === undefined ? "not-reached" : req.doubleSkipped,
    });
  });
  next();
});

app.set("trust proxy", "loopback");
app.use(
  helmet({
    hsts: config.nodeEnv === "production" ? undefined : false,
    contentSecurityPolicy: false,
  }),
);
app.use(compression());
app.use(limiter);
app.use(
  cors({
    origin: (origin, callback) => {
      if (!origin) return callback(null, true);
      const allowedOrigins = [
        "http://localhost:3000",
        "http://127.0.0.1:3000",
        "http://localhost:3001",
        "http://127.0.0.1:3001",
        `http://${localIp}:3000`,
        `http://${localIp}:3001`,
      ];
      if (config.nodeEnv === "development" && origin.includes("localhost")) return callback(null, true);
      if (config.nodeEnv === "development" && origin.includes(localIp)) return callback(null, true);
      const isLocalNetwork =
        /^https?:\/\/(192\.168\.\d{1,3}\.\d{1,3}|10\.\d{1,3}\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3})(:\d+)?$/.test(
          origin,
        );
      if (isLocalNetwork) return callback(null, true);
      if (allowedOrigins.includes(origin)) return callback(null, true);
      return callback(new Error("Not allowed by CORS"));
    },
    credentials: true,
    optionsSuccessStatus: 200,
    methods: ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"],
    allowedHeaders: ["Content-Type", "Authorization", "X-Requested-With", "X-Client-Version"],
    exposedHeaders: ["X-API-Version"],
  }),
);
app.use((req, res, next) => {
  res.setHeader("X-API-Version", "0.2.0");
  next();
});
app.use("/api/v1", (req, res, next) => {
  if (!req.headers["x-client-version"]) log("warn", "No client version provided in request headers");
  next();
});
app.use(express.json({ limit: "10mb" }));

app.get("/health", (req, res) => res.status(200).json({ status: "OK", version: "0.2.0" }));
app.get("/api/docs", (req, res) => res.status(200).type("html").send("<title>Swagger UI</title>"));
app.get("/api/v1/movies", (req, res) => res.status(200).json({ success: true, data: [] }));
app.get("/api/v1/settings", (req, res) => res.status(200).json({ success: true, data: settings }));
app.put("/api/v1/settings", (req, res) => {
  Object.assign(settings, req.body || {});
  res.status(200).json({ success: true, message: "Settings updated successfully", data: settings });
});
app.get("/api/v1/logs", (req, res) => res.status(200).json({ success: true, data: combinedLog.slice(-500) }));
app.delete("/api/v1/logs", (req, res) => {
  combinedLog.length = 0;
  res.status(200).json({ success: true, message: "Logs cleared successfully" });
});
app.all(/^\/api\/v1\/(scan|stream)(\/.*)?$/, (req, res) => res.status(200).json({ success: true }));
app.use((req, res) => {
  res.status(404).json({ success: false, error: "Route not found", message: `Cannot ${req.method} ${req.originalUrl}` });
});
// CORS refusals reach Express's error handler, as upstream's do (a 500 there).
app.use((err, req, res, _next) => {
  res.status(500).json({ success: false, error: "Internal server error", message: err.message });
});

const server = http.createServer(app);
const wss = new WebSocketServer({ server, path: "/ws" });
wss.on("connection", (ws, req) => {
  record({
    method: "UPGRADE",
    path: "/ws",
    peer: req.socket.remoteAddress,
    hostHeader: req.headers.host || "",
    origin: req.headers.origin || "",
    status: 101,
  });
  clients.add(ws);
  ws.on("close", () => clients.delete(ws));
  ws.on("error", () => clients.delete(ws));
  ws.send(JSON.stringify({ type: "connection:established", message: "Connected to Dester API WebSocket" }));
  log("info", "WebSocket client connected");
});

server.listen(config.port, config.host, () => {
  log("info", `Server running on port ${config.port}`);
  log("info", `Environment: ${config.nodeEnv}`);
  log("info", `Database: ${config.databaseUrl}`);
  process.stdout.write(JSON.stringify({ double: "listening", host: config.host, port: config.port }) + "\n");
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    for (const client of clients) client.terminate();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
