"""End to end in a real browser (Chromium from Debian's packages), at desktop and phone width."""
from tests.browser_fixtures import login, no_horizontal_scroll
from tests.factories import PASSWORD


def test_login_and_my_tasks_fit_the_screen(live_server, page, world):
    world.task(title="入户开展反电诈宣传")
    page.goto(f"{live_server}/login")
    assert no_horizontal_scroll(page)
    login(page, live_server, "cadre", "wrong-password-9")
    assert page.get_by_text("用户名或密码错误").is_visible()
    login(page, live_server, "cadre", PASSWORD)
    assert page.get_by_role("heading", name="我的任务").is_visible()
    assert page.get_by_text("入户开展反电诈宣传").first.is_visible()
    assert no_horizontal_scroll(page)


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def _logout(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_assign_report_approve_report_and_urge(live_server, page, world, tmp_path):
    """The committee assigns and urges; the cadre sees the urge, reports a figure with a photo and asks to close;
    the lead approves; the report page shows the figure. At desktop and at phone width."""
    base = live_server
    login(page, base, "office", PASSWORD)
    page.goto(f"{base}/plans/{world.plan.id}/tasks/new")
    page.get_by_label("任务名称").fill("开展宪法宣传周活动")
    page.get_by_label("报告板块").select_option("7")
    page.get_by_label("责任人").select_option("cadre")
    page.get_by_label("牵头领导").select_option("leader")
    page.get_by_label("完成时限").fill("2026-12-20")
    page.get_by_role("button", name="创建").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="开展宪法宣传周活动").is_visible()
    assert no_horizontal_scroll(page)
    task_url = page.url

    page.get_by_role("link", name="催办").click()
    page.get_by_label("催办留言(可不填)").fill("请本周内报送宣传照片")
    page.get_by_role("button", name="催办").click()
    page.wait_for_load_state()
    _logout(page)

    login(page, base, "cadre", PASSWORD)
    assert page.get_by_text("开展宪法宣传周活动").first.is_visible()
    page.goto(f"{base}/notices/")
    assert page.get_by_text("催办").first.is_visible()
    assert page.get_by_text("请本周内报送宣传照片").first.is_visible()
    assert no_horizontal_scroll(page)

    page.goto(task_url)
    page.get_by_role("link", name="反馈进展").first.click()
    page.wait_for_load_state()
    page.get_by_label("当前进度(%)").fill("100")
    page.get_by_label("进展说明").fill("在3个村开展宪法宣传,发放资料300份。")
    page.locator("input[name='p-metrics-0-name']").fill("普法宣讲")
    page.locator("input[name='p-metrics-0-value']").fill("3")
    page.locator("input[name='p-metrics-0-unit']").fill("次")
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(PNG)
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="提交进展").click()
    page.wait_for_load_state()
    assert page.get_by_text("在3个村开展宪法宣传").first.is_visible()
    assert page.locator("img[alt*='现场照片']").count() >= 1 or page.get_by_text("现场照片.png").count() >= 1

    assert page.locator(".ready-to-close").is_visible()  # 100 % opens the completion request (issue 16.8)
    page.get_by_label("办结情况").fill("宣传周活动已完成,照片已上传。")
    page.get_by_role("button", name="提交办结申请").click()
    page.wait_for_load_state()
    _logout(page)

    login(page, base, "leader", PASSWORD)
    page.goto(task_url)
    page.get_by_role("button", name="同意").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("已办结").first.is_visible()
    _logout(page)

    login(page, base, "office", PASSWORD)
    page.goto(f"{base}/reports?year=2026")
    page.get_by_role("button", name="生成报告初稿").click()
    page.wait_for_load_state()
    assert page.get_by_text("普法宣讲").first.is_visible()
    assert page.locator("body").inner_text().count("3次") >= 1
    assert no_horizontal_scroll(page)
