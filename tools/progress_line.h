/* The progress line `kafkalite produce` and `consume` draw on a terminal
 * during a long run: one line on standard error, redrawn at most once a
 * second ("\r", the text, erase to the end of the line), and erased before
 * any other message goes to standard error and at the end. It is drawn
 * only when standard error is a terminal and the command's own data does
 * not share it (consume: standard output is not a terminal; produce:
 * standard input is not one, so typed lines are not overdrawn): never in
 * pipes or logs. One per process. */
#ifndef KL_TOOLS_PROGRESS_LINE_H
#define KL_TOOLS_PROGRESS_LINE_H

#include <stdbool.h>
#include <stdint.h>

#define PROGRESS_LINE_EVERY_US 1000000

/* Turns the line on when enabled and standard error is a terminal; the
 * first drawing is due PROGRESS_LINE_EVERY_US later. */
void progress_line_start(bool enabled);

/* Whether progress_line_update() would draw now (on, and due). */
bool progress_line_due(void);

/* Draws the text (printf format) when due. */
void progress_line_update(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Erases a drawn line (before another message, and at the end). */
void progress_line_clear(void);

#endif
