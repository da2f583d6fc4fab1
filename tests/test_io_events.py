"""Ticket event logs read as the interactions table (issue 12).

A ticket system's audit export has one row per event of a case (opened,
assigned, a customer contact, closed ...). The loader turns it into one row
per case, as the ``interactions`` contract wants.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crmlib.exceptions import DataError, ParameterError
from crmlib.io import read_client_table, read_notes, read_table

TS = pd.Timestamp

LOG = """case_id,customer_id,activity,timestamp,channel
T1,C1,opened,2024-03-01 09:00,phone
T1,C1,assigned,2024-03-01 09:30,
T1,C1,closed,2024-03-01 10:00,
T2,C2,opened,2024-03-02 09:00,email
T2,C2,customer contact,2024-03-03 11:00,
T2,C2,customer contact,2024-03-04 12:00,
T2,C2,closed,2024-03-05 08:00,
T3,C3,Abierto,2024-03-06 09:00,chat
T3,C3,asignado,2024-03-06 10:00,
"""


def _csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_event_log_becomes_one_row_per_case(tmp_path):
    df = read_table(_csv(tmp_path / "interactions.csv", LOG), "interactions",
                    as_of="2024-12-31")
    assert df["interaction_id"].tolist() == ["T1", "T2", "T3"]
    assert df["customer_id"].tolist() == ["C1", "C2", "C3"]
    assert df["opened_at"].tolist() == [TS("2024-03-01 09:00"), TS("2024-03-02 09:00"),
                                        TS("2024-03-06 09:00")]
    assert df["closed_at"].tolist()[:2] == [TS("2024-03-01 10:00"), TS("2024-03-05 08:00")]
    assert pd.isna(df["closed_at"].iloc[2])
    # the opening is the first contact; each customer contact adds one
    assert df["contacts_to_resolve"].tolist() == [1.0, 3.0, 1.0]
    assert df["status"].tolist() == ["closed", "closed", "asignado"]
    assert df["channel"].tolist() == ["phone", "email", "chat"]
    notes = df.attrs["notes"]
    assert any("event log" in n and "9 events" in n and "3 cases" in n for n in notes)
    assert any("registro de eventos" in n for n in read_notes(df, "es"))


def test_reopened_case_is_open_until_closed_again(tmp_path):
    log = ("ticket,cliente,actividad,fecha_hora\n"
           "T1,C1,abierto,2024-03-01 09:00\nT1,C1,cerrado,2024-03-01 10:00\n"
           "T1,C1,reabierto,2024-03-02 10:00\n")
    df = read_table(_csv(tmp_path / "i.csv", log), "interactions", as_of="2024-12-31")
    assert pd.isna(df["closed_at"].iloc[0])
    assert df["status"].tolist() == ["reabierto"]


def test_activity_map_in_dataset_yaml(tmp_path):
    log = ("case_id,customer_id,activity,timestamp\n"
           "T1,C1,Ticket creado,2024-03-01 09:00\nT1,C1,Respuesta del cliente,2024-03-01 09:10\n"
           "T1,C1,Solucionado por agente,2024-03-01 10:00\n")
    _csv(tmp_path / "interactions.csv", log)
    (tmp_path / "dataset.yaml").write_text(
        "tables:\n  interactions:\n    activity_map:\n"
        "      open: [Ticket creado]\n      contact: [Respuesta del cliente]\n"
        "      close: [Solucionado por agente]\n", encoding="utf-8")
    df = read_client_table(tmp_path, "interactions", as_of="2024-12-31")
    assert df["closed_at"].tolist() == [TS("2024-03-01 10:00")]
    assert df["contacts_to_resolve"].tolist() == [2.0]


def test_unknown_activities_are_named_in_a_note(tmp_path):
    log = ("case_id,customer_id,activity,timestamp\n"
           "T1,C1,opened,2024-03-01 09:00\nT1,C1,Escalado a nivel 2,2024-03-01 09:10\n")
    df = read_table(_csv(tmp_path / "i.csv", log), "interactions", as_of="2024-12-31")
    assert any("Escalado a nivel 2" in n and "activity_map" in n for n in df.attrs["notes"])


def test_extra_columns_of_a_log_are_listed(tmp_path):
    log = ("case_id,customer_id,activity,timestamp,Prioridad\n"
           "T1,C1,opened,2024-03-01 09:00,alta\nT1,C1,closed,2024-03-01 10:00,alta\n")
    df = read_table(_csv(tmp_path / "i.csv", log), "interactions", as_of="2024-12-31")
    assert [u["header"] for u in df.attrs["unrecognised"]] == ["Prioridad"]


def test_activity_map_is_checked(tmp_path):
    f = _csv(tmp_path / "i.csv", LOG)
    with pytest.raises(ParameterError, match="activity_map"):
        read_table(f, "interactions", activity_map={"finish": ["closed"]})


def test_bad_event_times_name_the_lines(tmp_path):
    log = LOG.replace("2024-03-03 11:00", "ayer")
    with pytest.raises(DataError) as err:
        read_table(_csv(tmp_path / "i.csv", log), "interactions", as_of="2024-12-31")
    assert "timestamp" in str(err.value) and "line 6" in str(err.value)


def test_an_ordinary_interactions_file_is_not_taken_for_a_log(tmp_path):
    f = _csv(tmp_path / "i.csv", "ticket,cliente,fecha_apertura,fecha_cierre,estado\n"
             "T1,C1,2024-03-01,2024-03-02,cerrado\n")
    df = read_table(f, "interactions", as_of="2024-12-31")
    assert df["status"].tolist() == ["cerrado"]
    assert not any("event log" in n for n in df.attrs["notes"])


def test_log_without_customers_is_refused_like_any_interactions_file(tmp_path):
    log = ("case_id,activity,timestamp\n"
           "T1,opened,2024-03-01 09:00\nT1,closed,2024-03-01 10:00\n")
    with pytest.raises(DataError, match="interaction_events: column 'customer_id' is required"):
        read_table(_csv(tmp_path / "i.csv", log), "interactions", as_of="2024-12-31")


def test_row_order_of_the_log_does_not_change_the_cases(tmp_path):
    head, *rows = LOG.strip().split("\n")
    shuffled = "\n".join([head, *reversed(rows)]) + "\n"
    a = read_table(_csv(tmp_path / "a.csv", LOG), "interactions", as_of="2024-12-31")
    b = read_table(_csv(tmp_path / "b.csv", shuffled), "interactions", as_of="2024-12-31")
    b = b.set_index("interaction_id").loc[a["interaction_id"]].reset_index()
    pd.testing.assert_frame_equal(a, b, check_like=False)


def test_file_with_one_row_per_case_is_not_a_log(tmp_path):
    f = _csv(tmp_path / "i.csv", "caso,cliente,evento,fecha\n"
             "T1,C1,queja,2024-03-01\nT2,C2,consulta,2024-03-02\n")
    df = read_table(f, "interactions", as_of="2024-12-31")
    assert df["interaction_id"].tolist() == ["T1", "T2"]
    assert df["evento"].tolist() == ["queja", "consulta"]
    assert not any("event log" in n for n in df.attrs["notes"])
