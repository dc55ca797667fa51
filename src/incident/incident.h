/*
 * incident.h: alerts folded into incidents by shared entities and time,
 * scored, ordered along the ATT&CK kill chain and explained.
 *
 * Life cycle: incident_set_new(); for every event incident_observe() (it
 * keeps per-entity counts, so the figures an incident shows are exact
 * whatever the rules' windows); for every alert incident_add_alert();
 * then incident_build() once; then read the incidents.
 */
#ifndef VIGIL_INCIDENT_H
#define VIGIL_INCIDENT_H

#include "core/core.h"
#include "detect/detect.h"

struct incident_set;

struct incident_set *incident_set_new(void);
void incident_set_free(struct incident_set *s);

/* Counts what each entity did (logins failed and succeeded, requests...). */
void incident_observe(struct incident_set *s, const struct core_event *ev);

/* Copies what it needs from the alert; the alert may go away after. */
int incident_add_alert(struct incident_set *s, const struct detect_alert *a);

/* Groups, scores and orders; call once, after the last alert. */
int incident_build(struct incident_set *s);

#endif /* VIGIL_INCIDENT_H */
