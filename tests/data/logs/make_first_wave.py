"""Written with tabletop as of the first wave (commit 743736a), to pin that its logs still read."""
import sys

from tabletop import bots, runner
from tabletop import model as m
from tabletop.loading import load_scenario
from tabletop.session import Session

out = sys.argv[1]
sc, rules = load_scenario("tests/data/mini.yaml")
runner.play(sc, rules, seed=2, log_path=f"{out}/first-wave-run.jsonl")
s = Session.new(sc, rules, seed=5, seats={"us": "human", "rok": "human"}, log_path=f"{out}/first-wave-played.jsonl", clock=True)
s.note("Class of 24, room 3.")
s.release("missile")
s.release_adhoc("Hypothetical: a ferry stopped", "A ROK coast guard ship stops a ferry.", to=["rok", "us"],
                facts=[m.Fact(kind="threat", by="dprk", target="rok", location="rok")], tension=1)
s.release("threat")
while s.state.phase != "decide":
    s.advance()
for seat in ("dprk", "russia", "china", "japan"):
    c = bots.decide(s.state, s.scenario, s.rules, seat, s.seed)
    s.decide(seat, c.option, c.rationale, by="bot")
s.decide("us", "talk", "Talk before anything else.")
for ob in s.unanswered("rok"):
    s.answer("rok", ob.id, "consult", "Consult Washington first.")
s.decide("rok", "drill", "Show resolve, carefully.")
for seat in list(s.seats):
    for ob in s.unanswered(seat):
        s.answer(seat, ob.id, "honour", "As the treaty says.", by="bot")
s.note("ROK team split on the drill.", seat="rok")
s.advance()
if s.state.phase == "adjudicate" and not any(e.get("type") == "adjudicated" for e in s.events):
    s.adjudicate()
s.override("tension", 3, "The class judged the ferry incident graver.")
s.end("Out of time.")
s.close()
