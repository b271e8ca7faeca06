// SPDX-License-Identifier: GPL-2.0-or-later
/* A topology as Graphviz dot. */
#include <stdio.h>

#include "graph.h"

static const char *shape(enum node_kind k)
{
	switch (k) {
	case NODE_ROUTER:
		return "diamond";
	case NODE_BRIDGE:
		return "ellipse";
	default:
		return "box";
	}
}

/* dot's double-quoted strings escape only '"' (and a trailing '\'); the
 * names here are [A-Za-z0-9_-] and addresses, so quoting suffices. */
void topo_graph_dot(const struct topo *t, FILE *out)
{
	fprintf(out, "graph \"%s\" {\n", t->name);
	fprintf(out, "\tnode [fontname=\"monospace\"];\n");
	for (size_t i = 0; i < t->n_nodes; i++)
		fprintf(out, "\t\"%s\" [shape=%s];\n", t->nodes[i].name, shape(t->nodes[i].kind));
	for (size_t l = 0; l < t->n_links; l++) {
		const struct topo_link *k = &t->links[l];
		const struct topo_end *e[2] = {&k->a, &k->b};
		char label[2][400];
		for (int s = 0; s < 2; s++) {
			int n = snprintf(label[s], sizeof(label[s]), "%s", e[s]->ifname);
			for (size_t a = 0;
			     a < e[s]->n_addrs && n > 0 && (size_t)n < sizeof(label[s]); a++) {
				char buf[64];
				n += snprintf(label[s] + n, sizeof(label[s]) - (size_t)n, "\\n%s",
					      nc_cidr_str(&e[s]->addrs[a], true, buf, sizeof(buf)));
			}
		}
		fprintf(out, "\t\"%s\" -- \"%s\" [taillabel=\"%s\", headlabel=\"%s\"",
			t->nodes[k->a.node].name, t->nodes[k->b.node].name, label[0], label[1]);
		if (k->rate_bps)
			fprintf(out, ", label=\"%.3gMbit/s\"", (double)k->rate_bps / 1e6);
		fprintf(out, "];\n");
	}
	for (size_t p = 0; p < t->n_isolated; p++)
		fprintf(out, "\t\"%s\" -- \"%s\" [style=dotted, color=red, constraint=false];\n",
			t->nodes[t->isolated[p].a].name, t->nodes[t->isolated[p].b].name);
	fprintf(out, "}\n");
}
