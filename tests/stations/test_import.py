"""stations.importer on real NBS 2023 subsets: Datian (shipped) and Baisha (../shared)."""

from __future__ import annotations

import gzip
import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stations.importer import DivisionImportError, ImportResult, import_divisions
from stations.models import Division

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "stations" / "data" / "divisions"
SHARED = Path(os.environ.get("ZHANWU_DIVISIONS_DIR") or REPO.parent / "shared" / "data" / "divisions")

DATIAN_ROWS = {1: 31, 2: 342, 3: 2978, 4: 19, 5: 279}
BAISHA_ROWS = {1: 1, 2: 1, 3: 1, 4: 11, 5: 94}
HEADERS = {
    "provinces.csv": "code,name",
    "cities.csv": "code,name,provinceCode",
    "areas.csv": "code,name,cityCode,provinceCode",
    "streets.csv": "code,name,areaCode,provinceCode,cityCode",
    "villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode",
}


def rows(result: ImportResult) -> dict[int, int]:
    return {level: result.rows(level) for level in range(1, 6)}


def zero_changes(result: ImportResult) -> bool:
    return result.total_created == 0 and result.total_updated == 0


def copy_shipped(tmp_path: Path) -> Path:
    target = tmp_path / "divisions"
    shutil.copytree(SHIPPED, target)
    return target


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, line: str) -> int:
    """Append a row; returns its line number."""
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(line + "\n")
    return len(path.read_text(encoding="utf-8").splitlines())


def file_villages(prefix: str) -> int:
    lines = (SHIPPED / "villages.csv").read_text(encoding="utf-8").splitlines()[1:]
    return sum(1 for line in lines if line.startswith(prefix))


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "streets.csv").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide the division data at {SHARED}")
        pytest.skip(f"division data not found at {SHARED}")
    return SHARED


def test_shipped_subset_is_datian_with_ancestors() -> None:
    for name, header in HEADERS.items():
        lines = (SHIPPED / name).read_text(encoding="utf-8").splitlines()
        assert lines[0] == header
    # Every province, city and county ships (the presets sit on 43, 3206, 5105, 469025), villages only for Datian.
    provinces = (SHIPPED / "provinces.csv").read_text(encoding="utf-8").splitlines()[1:]
    cities = (SHIPPED / "cities.csv").read_text(encoding="utf-8").splitlines()[1:]
    areas = (SHIPPED / "areas.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert (len(provinces), len(cities), len(areas)) == (31, 342, 2978)
    assert '35,"福建省"' in provinces and '3504,"三明市",35' in cities and '350425,"大田县",3504,35' in areas
    assert len((SHIPPED / "streets.csv").read_text(encoding="utf-8").splitlines()) == 1 + 19
    assert file_villages("350425") == 279


@pytest.mark.django_db
def test_import_datian_from_shipped_data() -> None:
    result = import_divisions(SHIPPED, progress=False)

    assert rows(result) == DATIAN_ROWS
    assert result.seconds > 0
    province, city, county = (
        Division.objects.get(code="35"),
        Division.objects.get(code="3504"),
        Division.objects.get(code="350425"),
    )
    assert (province.name, province.level, province.parent_id) == ("福建省", 1, None)
    assert (city.name, city.level, city.parent_id) == ("三明市", 2, "35")
    assert (county.name, county.level, county.parent_id) == ("大田县", 3, "3504")
    junxi = Division.objects.get(code="350425100")
    assert (junxi.name, junxi.level, junxi.parent_id) == ("均溪镇", 4, "350425")
    village = Division.objects.get(code="350425100001")
    assert (village.name, village.level, village.parent_id) == ("白岩居委会", 5, "350425100")
    assert village.full_name() == "福建省三明市大田县均溪镇白岩居委会"


@pytest.mark.django_db
def test_reimport_changes_nothing() -> None:
    import_divisions(SHIPPED, progress=False)

    again = import_divisions(SHIPPED, progress=False)

    assert zero_changes(again)
    assert again.unchanged == DATIAN_ROWS


@pytest.mark.django_db
def test_import_baisha_subtree_from_shared_data(shared_dir: Path) -> None:
    result = import_divisions(shared_dir, prefix="469025", progress=False)

    # The demo data may already hold 白沙 (policy presets), so count created and unchanged together.
    assert rows(result) == BAISHA_ROWS
    assert result.total_updated == 0
    # 白沙 hangs under the 省直辖县级行政区划 pseudo-city 4690, imported as the prefix's ancestor.
    assert Division.objects.get(code="46").name == "海南省"
    assert Division.objects.get(code="4690").name == "省直辖县级行政区划"
    baisha = Division.objects.get(code="469025")
    assert (baisha.name, baisha.parent_id) == ("白沙黎族自治县", "4690")
    assert baisha.full_name() == "海南省白沙黎族自治县"
    assert Division.objects.filter(code__startswith="469025", level=Division.Level.VILLAGE).count() == 94

    again = import_divisions(shared_dir, prefix="469025", progress=False)
    assert zero_changes(again)
    assert again.unchanged == BAISHA_ROWS


@pytest.mark.django_db
def test_prefix_takes_the_subtree_and_its_ancestors() -> None:
    result = import_divisions(SHIPPED, prefix="350425100", progress=False)

    assert rows(result) == {1: 1, 2: 1, 3: 1, 4: 1, 5: file_villages("350425100")}
    assert Division.objects.filter(code__in=["35", "3504", "350425", "350425100"]).count() == 4


@pytest.mark.django_db
def test_prefix_without_rows_is_an_error() -> None:
    with pytest.raises(DivisionImportError, match="没有以“99”开头"):
        import_divisions(SHIPPED, prefix="99", progress=False)
    with pytest.raises(DivisionImportError, match="无效"):
        import_divisions(SHIPPED, prefix="35a", progress=False)


@pytest.mark.django_db
def test_renamed_place_is_updated(tmp_path: Path) -> None:
    import_divisions(SHIPPED, progress=False)
    data = copy_shipped(tmp_path)
    replace(data / "streets.csv", '350425100,"均溪镇"', '350425100,"均溪街道"')
    replace(data / "villages.csv", '350425100001,"白岩居委会"', '350425100001,"白岩社区居委会"')

    result = import_divisions(data, progress=False)

    assert result.total_created == 0
    assert result.updated == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
    assert Division.objects.get(code="350425100").name == "均溪街道"
    assert Division.objects.get(code="350425100001").name == "白岩社区居委会"
    assert zero_changes(import_divisions(data, progress=False))


@pytest.mark.django_db
def test_parent_may_already_be_in_the_database(tmp_path: Path) -> None:
    import_divisions(SHIPPED, progress=False)
    data = tmp_path / "one_township"
    data.mkdir()
    for name, header in HEADERS.items():
        (data / name).write_text(header + "\n", encoding="utf-8")
    append(data / "streets.csv", '350425998,"新设镇",350425,35,3504')
    append(data / "villages.csv", '350425998001,"新设村委会",350425998,35,3504,350425')

    result = import_divisions(data, progress=False)

    assert result.created == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
    assert Division.objects.get(code="350425998001").parent.parent_id == "350425"


BAD_ROWS = [
    pytest.param('35042510099X,"坏村委会",350425100,35,3504,350425', "非数字", id="non-digit code"),
    pytest.param('3504251009991,"长村委会",350425100,35,3504,350425', "13 位", id="bad code length"),
    pytest.param('350425100999,"",350425100,35,3504,350425', "名称为空", id="empty name"),
    pytest.param(
        '350425999001,"无主村委会",350425999,35,3504,350425', "上级区划“350425999”不存在", id="unknown parent"
    ),
    pytest.param('350425100998,"错挂村委会",350425101,35,3504,350425', "不符", id="parent not the code prefix"),
    pytest.param('350425100001,"白岩居委会",350425100,35,3504,350425', "重复", id="duplicate code"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("bad_row", "problem"), BAD_ROWS)
def test_bad_row_saves_nothing(tmp_path: Path, bad_row: str, problem: str) -> None:
    import_divisions(SHIPPED, progress=False)
    before = Division.objects.count()
    data = copy_shipped(tmp_path)
    # Good changes first (a rename, a new township with a village), the bad row last.
    replace(data / "streets.csv", '350425100,"均溪镇"', '350425100,"均溪街道"')
    append(data / "streets.csv", '350425998,"新设镇",350425,35,3504')
    append(data / "villages.csv", '350425998001,"新设村委会",350425998,35,3504,350425')
    line = append(data / "villages.csv", bad_row)
    assert line == 1 + 279 + 2

    with pytest.raises(DivisionImportError) as caught:
        import_divisions(data, progress=False)

    message = str(caught.value)
    assert f"villages.csv 第 {line} 行" in message
    assert problem in message
    assert caught.value.total == 1
    assert Division.objects.count() == before
    assert Division.objects.get(code="350425100").name == "均溪镇"
    assert not Division.objects.filter(code__startswith="350425998").exists()


@pytest.mark.django_db
def test_every_bad_row_is_reported(tmp_path: Path) -> None:
    data = copy_shipped(tmp_path)
    replace(data / "cities.csv", '3504,"三明市",35', '3504,"",35')
    append(data / "areas.csv", '3504260,"七位县",3504,35')

    with pytest.raises(DivisionImportError) as caught:
        import_divisions(data, progress=False)

    city_line = 1 + (SHIPPED / "cities.csv").read_text(encoding="utf-8").splitlines().index('3504,"三明市",35')
    area_line = len((data / "areas.csv").read_text(encoding="utf-8").splitlines())
    assert caught.value.messages == [
        f"cities.csv 第 {city_line} 行：区划“3504”的名称为空。",
        f"areas.csv 第 {area_line} 行：区划代码“3504260”为 7 位，应为 2、4、6、9 或 12 位数字。",
    ]


@pytest.mark.django_db
def test_missing_file_is_an_error(tmp_path: Path) -> None:
    data = copy_shipped(tmp_path)
    (data / "provinces.csv").unlink()
    with pytest.raises(DivisionImportError, match="缺少 provinces.csv"):
        import_divisions(data, progress=False)


@pytest.mark.django_db
def test_gzipped_villages_are_read(tmp_path: Path) -> None:
    data = copy_shipped(tmp_path)
    plain = data / "villages.csv"
    (data / "villages.csv.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()

    assert rows(import_divisions(data, progress=False)) == DATIAN_ROWS


@pytest.mark.django_db
def test_subtree_query_by_prefix(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    import_divisions(SHIPPED, progress=False)

    with django_assert_num_queries(1):
        assert Division.objects.filter(code__startswith="350425", level=Division.Level.VILLAGE).count() == 279
    with django_assert_num_queries(1):
        assert Division.objects.filter(code__startswith="350425", level=Division.Level.TOWNSHIP).count() == 19
    with django_assert_num_queries(1):
        junxi = Division.objects.filter(code__startswith="350425100", level=Division.Level.VILLAGE)
        assert junxi.count() == file_villages("350425100")
    assert set(Division.objects.get(code="350425100").children.values_list("code", flat=True)) == set(
        junxi.values_list("code", flat=True)
    )


@pytest.mark.django_db
def test_command_prints_summary() -> None:
    out = io.StringIO()
    call_command("import_divisions", str(SHIPPED), "--no-progress", stdout=out)
    text = out.getvalue()
    assert "行政区划导入完成" in text
    assert "村级" in text and "279" in text
    assert "用时" in text

    out = io.StringIO()
    call_command("import_divisions", str(SHIPPED), "--code", "350425100", "--no-progress", stdout=out)
    assert "350425100 及其上级" in out.getvalue()


@pytest.mark.django_db
def test_command_reports_bad_rows(tmp_path: Path) -> None:
    data = copy_shipped(tmp_path)
    line = append(data / "villages.csv", '350425999001,"无主村委会",350425999,35,3504,350425')
    err = io.StringIO()

    with pytest.raises(CommandError, match="未保存任何数据"):
        call_command("import_divisions", str(data), "--no-progress", stderr=err)

    assert f"villages.csv 第 {line} 行" in err.getvalue()
