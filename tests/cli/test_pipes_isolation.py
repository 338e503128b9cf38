#!/usr/bin/python3
"""Isolation trace on the real ky4 water network (ky4.inp, EPSG:3547, US survey feet), with a
GENERATED valve layer and GENERATED buildings, against networkx.

ky4 has no isolation valves, so they are generated from its real topology, the way utilities
place them: at every junction where three or more pipes meet, a valve on each of those pipes
but the first (by id), 2 m from the junction (pipes longer than 6 m only). Buildings: a 10 m
square 12 m to the left of the middle of every fourth pipe (by id).

The reference is a different formulation of the same question: a bipartite networkx graph of
pipes (and the two pumps) and nodes, a pipe joined to each end node unless a valve stands
between them. The broken pipe's component is the stretch shut off; the valves to close are
those with one side in it; the 2 m stubs between a junction and its valves belong to the
junction's side. With the component removed, what the reservoir and tanks no longer reach is
cut off (pumps pass water: operating states are not modelled). Each building is served by its
nearest pipe (Shapely distance, within 30 m).
"""
import math
import sys
from pathlib import Path

import geopandas as gpd
import networkx as nx
from shapely.geometry import Point, box

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

NETWORKS = "water_sewer_networks_epanet_swmm"
US_FT = 1200 / 3937
STUB_M = 2.0
GPM_PER_M3S = 1 / 6.30901964e-5  # the GIS export's demands are m³/s, the .inp's GPM


class IsolationTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        gis = lambda name: gpd.read_file(sts.data_path(NETWORKS, "ky4_gis", name))
        cls.pipes = gis("ky4_pipes.geojson").set_index("name")
        cls.pumps = gis("ky4_pumps.geojson").set_index("name")
        cls.junctions = gis("ky4_junctions.geojson").set_index("name")
        cls.sources = list(gis("ky4_tanks.geojson")["name"]) + list(gis("ky4_reservoirs.geojson")["name"])
        # Valves (GENERATED): (pipe, junction) -> id and point.
        incident = {}
        for pid, row in cls.pipes.iterrows():
            for end in (row.start_node_name, row.end_node_name):
                incident.setdefault(end, []).append(pid)
        cls.valves = {}
        for node, pids in incident.items():
            if node not in cls.junctions.index or len(pids) < 3:
                continue
            for pid in sorted(pids)[1:]:
                line = cls.pipes.geometry[pid]
                if line.length * US_FT <= 6:
                    continue
                from_start = cls.pipes.start_node_name[pid] == node
                s = STUB_M / US_FT if from_start else line.length - STUB_M / US_FT
                cls.valves[(pid, node)] = (f"V-{node}-{pid}", line.interpolate(s))
        cls.valve_file = cls.tmp / "valves.geojson"
        gpd.GeoDataFrame({"vid": [v[0] for v in cls.valves.values()]},
                         geometry=[v[1] for v in cls.valves.values()], crs=cls.pipes.crs
                         ).to_file(cls.valve_file, driver="GeoJSON")
        # Buildings (GENERATED), 12 m to the left of the middle of every fourth pipe.
        rows, shapes = [], []
        for k, pid in enumerate(sorted(cls.pipes.index)):
            if k % 4:
                continue
            line = cls.pipes.geometry[pid]
            m, q = line.interpolate(0.5, normalized=True), line.interpolate(0.51, normalized=True)
            dx, dy = q.x - m.x, q.y - m.y
            n = math.hypot(dx, dy) or 1
            cx, cy = m.x - dy / n * 12 / US_FT, m.y + dx / n * 12 / US_FT
            half = 5 / US_FT
            rows.append(f"B-{pid}")
            shapes.append(box(cx - half, cy - half, cx + half, cy + half))
        cls.buildings = gpd.GeoDataFrame({"bid": rows}, geometry=shapes, crs=cls.pipes.crs)
        cls.building_file = cls.tmp / "buildings.geojson"
        cls.buildings.to_file(cls.building_file, driver="GeoJSON")
        # The bipartite graph: pipes and pumps joined to their end nodes unless a valve is there.
        g = nx.Graph()
        cls.links = {}
        for pid, row in cls.pipes.iterrows():
            cls.links[pid] = (row.start_node_name, row.end_node_name)
        for pid, row in cls.pumps.iterrows():
            cls.links[pid] = (row.start_node_name, row.end_node_name)
        for pid, (a, b) in cls.links.items():
            g.add_node(("P", pid))
            for node in (a, b):
                if (pid, node) not in cls.valves:
                    g.add_edge(("P", pid), ("N", node))
        cls.graph = g
        full = nx.Graph()
        for pid, (a, b) in cls.links.items():
            full.add_edge(("P", pid), ("N", a))
            full.add_edge(("P", pid), ("N", b))
        cls.full = full

    def reference(self, pid):
        comp = nx.node_connected_component(self.graph, ("P", pid))
        pipes_in = {p for k, p in comp if k == "P"}
        nodes_in = {n for k, n in comp if k == "N"}
        close = {v[0] for (p, j), v in self.valves.items() if (p in pipes_in) != (j in nodes_in)}
        isolated = {}
        for p in pipes_in:
            length = self.pipes.geometry[p].length * US_FT if p in self.pipes.index else 0.0
            stubs = sum(1 for j in self.links[p] if (p, j) in self.valves)
            isolated[p] = length - STUB_M * stubs
        for (p, j), _ in self.valves.items():
            if j in nodes_in:  # the stub between a junction and its valve is the junction's
                isolated[p] = isolated.get(p, 0) + STUB_M
        rest = self.full.copy()
        rest.remove_nodes_from(comp)
        fed = set()
        for s in self.sources:
            if ("N", s) in rest:
                fed |= nx.node_connected_component(rest, ("N", s))
        cut = {p for (k, p) in rest.nodes if k == "P" and ("P", p) not in fed}
        cut_nodes = {n for (k, n) in rest.nodes if k == "N" and ("N", n) not in fed}
        demand = sum(self.junctions.base_demand[n] for n in nodes_in if n in self.junctions.index)
        return close, isolated, cut, cut_nodes, nodes_in, demand

    def isolate(self, pid, *extra):
        res = self.strata("pipes", "isolate", sts.data_path(NETWORKS, "ky4.inp"), "--crs", "EPSG:3547",
                          "--break", pid, "--valves", self.valve_file, "--valve-id-field", "vid",
                          "--buildings", self.building_file, "--building-id-field", "bid", *extra)
        self.assertExit(res, sts.EXIT_OK, f"pipes isolate --break {pid}")
        return res.result

    def breaks(self):
        """Pipes whose shut stretch has >= 3 pipes and >= 2 valves; and pipes whose closure
        cuts something off. Deterministic: by pipe id."""
        big, cutting = [], []
        for pid in sorted(self.pipes.index):
            close, isolated, cut, *_ = self.reference(pid)
            if len(isolated) >= 3 and len(close) >= 2 and len(big) < 3:
                big.append(pid)
            if cut and len(cutting) < 2 and pid not in big:
                cutting.append(pid)
            if len(big) == 3 and len(cutting) == 2:
                break
        self.assertEqual((len(big), len(cutting)), (3, 2))
        return big + cutting

    def test_breaks_against_networkx(self):
        for pid in self.breaks():
            close, isolated, cut, cut_nodes, nodes_in, demand = self.reference(pid)
            r = self.isolate(pid)
            self.assertEqual(r["valves_off_network"], [])
            self.assertEqual(r["valves_given"], len(self.valves))
            self.assertEqual({v["id"] for v in r["valves_to_close"]}, close, pid)
            got = {}
            for s in r["isolated"]:
                got[s["pipe"]] = got.get(s["pipe"], 0) + s["length_m"]
            self.assertEqual(set(got), set(isolated), pid)
            for p, length in isolated.items():
                self.assertAlmostEqual(got[p], length, delta=1e-6, msg=f"{pid}: {p}")
            got_cut = {s["pipe"] for s in r["cut_off"] if s["length_m"] > STUB_M + 0.5}
            self.assertEqual(got_cut, {p for p in cut if p in self.pipes.index and
                                       self.pipes.geometry[p].length * US_FT > 6}, pid)
            self.assertEqual(set(r["cut_off_nodes"]), cut_nodes, pid)
            self.assertEqual(set(r["isolated_nodes"]), nodes_in, pid)
            self.assertAlmostEqual(r["demand_isolated"], demand * GPM_PER_M3S,
                                   delta=1e-6 * max(1.0, demand * GPM_PER_M3S), msg=pid)
            self.assertEqual(r["demand_unit"], "GPM")
            self.check_buildings(r, isolated, cut)

    def check_buildings(self, r, isolated, cut):
        want = {}
        for bid, shape in zip(self.buildings.bid, self.buildings.geometry):
            d, best = min((shape.distance(line), p) for p, line in self.pipes.geometry.items())
            if d * US_FT > 30:
                continue
            line = self.pipes.geometry[best]
            s = line.project(Point(shape.centroid.x, shape.centroid.y)) * US_FT
            length = line.length * US_FT
            near_start = s < STUB_M and (best, self.pipes.start_node_name[best]) in self.valves
            near_end = s > length - STUB_M and (best, self.pipes.end_node_name[best]) in self.valves
            self.assertFalse(near_start or near_end, "buildings sit at the pipes' middles")
            if best in isolated and isolated[best] > STUB_M * 2 + 1e-6:
                want[bid] = "isolated"
            elif best in cut:
                want[bid] = "cut off"
        got = {b["id"]: b["status"] for b in r["buildings_affected"]}
        self.assertEqual(got, want)

    def test_every_break_at_once(self):
        """--break-all: a summary per pipe (the network's criticality), each against networkx."""
        gpkg = self.tmp / "criticality.gpkg"
        res = self.strata("pipes", "isolate", sts.data_path(NETWORKS, "ky4.inp"), "--crs", "EPSG:3547",
                          "--break-all", "--valves", self.valve_file, "--valve-id-field", "vid", "--gpkg", gpkg)
        self.assertExit(res, sts.EXIT_OK)
        traces = {t["pipe"]: t for t in res.result["traces"]}
        self.assertEqual(set(traces), set(self.pipes.index) | set(self.pumps.index))
        for pid in sorted(self.pipes.index):
            close, isolated, cut, cut_nodes, _, _ = self.reference(pid)
            t = traces[pid]
            self.assertEqual(set(t["valves_to_close"]), close, pid)
            self.assertAlmostEqual(t["isolated_length_m"], sum(isolated.values()), delta=1e-6, msg=pid)
            self.assertEqual(t["cut_off_nodes"], len(cut_nodes), pid)
        rows = sts.sqlite_rows(gpkg, "SELECT pipe, valves, isolated_m FROM isolation_criticality")
        self.assertEqual(len(rows), len(traces))
        for pipe, valves, isolated_m in rows:
            self.assertEqual(valves, len(traces[pipe]["valves_to_close"]))
            self.assertAlmostEqual(isolated_m, traces[pipe]["isolated_length_m"], delta=1e-9)
        res = self.strata("pipes", "isolate", sts.data_path(NETWORKS, "ky4.inp"), "--crs", "EPSG:3547",
                          "--break", "P-1", "--break", "P-10", "--at", "1,2")
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")

    def test_gpkg_and_text(self):
        pid = self.breaks()[0]
        gpkg = self.tmp / "isolation.gpkg"
        r = self.isolate(pid, "--gpkg", gpkg)
        rows = sts.sqlite_rows(gpkg, "SELECT valve FROM isolation_valves")
        self.assertEqual(sorted(x[0] for x in rows), sorted(v["id"] for v in r["valves_to_close"]))
        rows = sts.sqlite_rows(gpkg, "SELECT pipe, status FROM isolation_pipes")
        self.assertEqual(len(rows), len(r["isolated"]) + len(r["cut_off"]))
        res = self.strata("pipes", "isolate", sts.data_path(NETWORKS, "ky4.inp"), "--crs", "EPSG:3547",
                          "--break", pid, "--valves", self.valve_file, json_output=False)
        self.assertExit(res, sts.EXIT_OK)
        self.assertIn(f"break on {pid}: close {len(r['valves_to_close'])} valves", res.stdout)

    def test_bad_requests(self):
        inp = sts.data_path(NETWORKS, "ky4.inp")
        res = self.strata("pipes", "isolate", inp, "--crs", "EPSG:3547", "--break", "P-nope")
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        res = self.strata("pipes", "isolate", inp, "--crs", "EPSG:3547", "--break", "P-1", "--at", "12")
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        res = self.strata("pipes", "isolate", inp, "--crs", "EPSG:3547", "--break", "P-1",
                          "--sources", "J-nope")
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        # Without valves the whole connected network is shut, and said.
        res = self.strata("pipes", "isolate", inp, "--crs", "EPSG:3547", "--break", "P-1")
        self.assertExit(res, sts.EXIT_OK)
        self.assertFalse(res.result["closable"])
        self.assertEqual(len(res.result["isolated"]), len(self.pipes) + len(self.pumps))
        # A valve far from every pipe is reported, not placed.
        far = self.tmp / "far_valve.geojson"
        x0, y0, _, _ = self.pipes.total_bounds
        gpd.GeoDataFrame({"vid": ["V-far"]}, geometry=[Point(x0 - 5000, y0 - 5000)],
                         crs=self.pipes.crs).to_file(far, driver="GeoJSON")
        res = self.strata("pipes", "isolate", inp, "--crs", "EPSG:3547", "--break", "P-1",
                          "--valves", far, "--valve-id-field", "vid")
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual(res.result["valves_off_network"], ["V-far"])


if __name__ == "__main__":
    sts.main()
