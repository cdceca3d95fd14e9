/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The protocol between mod_flashcoop (in Apache) and fc-noded, over the
 * daemon's Unix stream socket: text lines of at most TB_PROTO_LINE_MAX
 * bytes with the newline, ASCII, fields separated by one space.  A client
 * sends a request line and reads one reply line; it may send more on the
 * same connection, one at a time.  README.md describes every line.
 *
 *   request                                 replies
 *   ROUTE <site> <object> [<token-hex>]     SERVE | REDIRECT <host> [<token-hex>]
 *                                           | RESCUE <peer> <0|1> | UNKNOWN
 *   WAIT <site> <object> <timeout-ms>       PRESENT | ABSENT | FAILED
 *   SCOREBOARD <busy> <workers>             OK
 *   STATUS                                  STATE <state> <load>
 *   (anything malformed)                    ERR <reason>
 *
 * Numbers are unsigned decimals without sign or leading '+'; a token is
 * FC_TOKEN_LEN bytes in lower- or upper-case hex.  The codec is plain C
 * without GLib, so that the Apache module compiles it too; it never
 * allocates and never reads past the length it is given.
 */
#ifndef TESTBED_NODE_PROTO_H
#define TESTBED_NODE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashcoop/core.h"

/* Bytes of a line with its newline, at most. */
#define TB_PROTO_LINE_MAX 256
/* The longest WAIT a client may ask for. */
#define TB_PROTO_WAIT_MAX_MS 600000u
/* The largest load a STATE carries (a larger one is sent as this). */
#define TB_PROTO_LOAD_MAX 1e9
/* Bytes of a host name in a REDIRECT, with its NUL. */
#define TB_PROTO_HOST_MAX 128

enum tb_req_kind {
	TB_REQ_ROUTE,
	TB_REQ_WAIT,
	TB_REQ_SCOREBOARD,
	TB_REQ_STATUS,
};

struct tb_req {
	enum tb_req_kind kind;
	uint32_t site;          /* ROUTE, WAIT */
	uint64_t object;        /* ROUTE, WAIT */
	bool has_token;         /* ROUTE */
	uint8_t token[FC_TOKEN_LEN];
	uint32_t timeout_ms;    /* WAIT, at most TB_PROTO_WAIT_MAX_MS */
	uint32_t busy, workers; /* SCOREBOARD: busy <= workers, workers >= 1 */
};

enum tb_rep_kind {
	TB_REP_SERVE,
	TB_REP_REDIRECT,
	TB_REP_RESCUE,
	TB_REP_UNKNOWN,
	TB_REP_PRESENT,
	TB_REP_ABSENT,
	TB_REP_FAILED,
	TB_REP_OK,
	TB_REP_STATE,
	TB_REP_ERR,
};

struct tb_rep {
	enum tb_rep_kind kind;
	char host[TB_PROTO_HOST_MAX]; /* REDIRECT: host or host:port, no spaces */
	bool has_token;               /* REDIRECT */
	uint8_t token[FC_TOKEN_LEN];
	uint32_t peer;                /* RESCUE: whose site */
	bool present;                 /* RESCUE: the object is here already */
	char state[16];               /* STATE: fc_state_name() */
	double load;                  /* STATE: the smoothed load, 0..TB_PROTO_LOAD_MAX */
	char text[TB_PROTO_LINE_MAX]; /* ERR: the reason */
};

/*
 * Parses one request line (line[0..len), with or without its trailing
 * newline).  Returns NULL and fills *out, or returns a static text saying
 * what is wrong (for an ERR reply); *out is then unspecified.
 */
const char *tb_req_parse(const char *line, size_t len, struct tb_req *out);

/*
 * Writes r as a line with its newline and NUL into buf of cap bytes;
 * returns the length without the NUL, or 0 when r is invalid or cap too
 * small (TB_PROTO_LINE_MAX + 1 always suffices).
 */
size_t tb_req_format(const struct tb_req *r, char *buf, size_t cap);

/* As tb_req_parse(), for a reply line. */
const char *tb_rep_parse(const char *line, size_t len, struct tb_rep *out);

/* As tb_req_format(), for a reply; an ERR text is cut to fit the line
 * and its newlines turned into spaces. */
size_t tb_rep_format(const struct tb_rep *r, char *buf, size_t cap);

#endif
