"""End-to-end tests of `sluice validate FILE`: exit codes and the exact stdout/stderr format.

    python3 tests/cli/test_pipeline_cli.py --sluice build/src/cli/sluice
"""

import os

import sluice_case

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORDERS_EXAMPLE = os.path.join(REPO, "examples", "orders", "pipeline.yaml")


class ValidateTest(sluice_case.SluiceCase):
    TEMP_PREFIX = "sluice-pipeline-test-"

    def write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return name  # relative to the working folder, as a user would type it

    def test_valid_spec_prints_ok_on_stdout(self):
        name = self.write("p.yaml", "name: p\nrules:\n  - name: r\n    schedule: rate(5 minutes)\n"
                                    "    targets: [{action: write_log, path: /tmp/x.log}]\n")
        process = self.run_sluice("validate", name)
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertEqual(process.stdout.decode(), "p.yaml: ok (1 rule, 0 cluster templates, 0 steps)\n")
        self.assertEqual(process.stderr.decode(), "")

    def test_orders_example_is_valid(self):
        process = self.run_sluice("validate", ORDERS_EXAMPLE)
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertEqual(process.stdout.decode(),
                         ORDERS_EXAMPLE + ": ok (2 rules, 1 cluster template, 1 step)\n")

    def test_every_problem_sorted_on_stderr(self):
        name = self.write("bad.yaml",
                          "name: p\n"
                          "rules:\n"
                          "  - name: r\n"
                          "    schedule: rate(5 minute)\n"
                          "    targets: [{action: write_logs}]\n"
                          "clusters:\n"
                          "  etl: {release: emr-7.5.0, instances: {master: m5.xlarge}, idle_timeout: soon}\n")
        process = self.run_sluice("validate", name)
        self.assertEqual(process.returncode, 2, self.describe(process))
        self.assertEqual(process.stdout.decode(), "")
        self.assertEqual(process.stderr.decode(),
                         'bad.yaml:4:15: Parameter ScheduleExpression is not valid. (a rate of 5 takes '
                         'the plural unit "minutes")\n'
                         'bad.yaml:5:24: unknown action "write_logs" (did you mean "write_log"?)\n'
                         'bad.yaml:7:75: idle_timeout must be a duration (90s, 10m, 1h, 2d, or '
                         'seconds), not a string ("soon")\n'
                         "sluice: bad.yaml: 3 problems\n")

    def test_syntax_error_has_a_position(self):
        name = self.write("broken.yaml", "name: p\nrules: [\n")
        process = self.run_sluice("validate", name)
        self.assertEqual(process.returncode, 2, self.describe(process))
        lines = process.stderr.decode().splitlines()
        self.assertEqual(len(lines), 2, self.describe(process))
        self.assertRegex(lines[0], r"^broken\.yaml:\d+:\d+: \S")
        self.assertEqual(lines[1], "sluice: broken.yaml: 1 problem")

    def test_missing_file(self):
        process = self.run_sluice("validate", "nope.yaml")
        self.assertEqual(process.returncode, 2, self.describe(process))
        self.assertEqual(process.stdout.decode(), "")
        self.assertEqual(process.stderr.decode(), "sluice: nope.yaml: no such file\n")

    def test_needs_no_data_dir(self):
        name = self.write("p.yaml", "name: p\n")
        process = self.run_sluice("validate", name)
        self.assertEqual(process.returncode, 0, self.describe(process))
        self.assertFalse(os.path.exists(self.data_dir))


if __name__ == "__main__":
    sluice_case.main("test_pipeline_cli.py")
