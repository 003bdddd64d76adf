using System.Globalization;
using Nabla.Fuzz.Engine;
using Nabla.Fuzz.Targets;
using Nabla.Pictures;

// nabla-fuzz: mutation fuzzing of Nabla's file readers. See docs/fuzzing.md.
//   list                                   the targets
//   run <target|all> [options]             a campaign; exit code 1 when anything but the documented exception happened
//   repro <target> <file>...               runs saved inputs once and prints what each did
//   seeds <target|all> <folder>            writes the generated seeds as files
//   afl <target>                           one process of a coverage-guided afl-fuzz campaign (SharpFuzz)
//   large <target|all>                     reads generated large inputs (tens of MB, bombs) once each through the
//                                          file targets, measuring time and peak memory; prints a Markdown table
// Options of run: --inputs N (default 100000), --seconds S, --seed N (1), --timeout-ms N (2000), --max-len N (65536),
// --max-alloc-mb N (512), --crashes DIR (fuzz/crashes under the repository, or ./fuzz-crashes).
// The image reader's path entry point, as `nabla predict FILE` calls it (an odd-length input is read as RGB).
var imageFile = new FileTarget(new ImageTarget(), "fuzz-image", path =>
{
    int channels = new FileInfo(path).Length % 2 == 0 ? 1 : 3;
    var values = ImageInput.Read(path, channels, 8, 8);
    if (values.Length != channels * 64 || values.Any(v => !(v >= 0 && v <= 1))) throw new InvariantException($"{values.Length} values, or one outside [0, 1]");
});
IReadOnlyList<FuzzTarget> targets = [.. CoreTargets.All, new ImageTarget(), imageFile];

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: nabla-fuzz list | run <target|all> [--inputs N] [--seconds S] [--seed N] [--timeout-ms N] [--max-len N] [--max-alloc-mb N] [--crashes DIR] | repro <target> <file>... | seeds <target|all> <folder> | large <target|all>");
    return args.Length == 0 ? 2 : 0;
}

try
{
    switch (args[0])
    {
        case "list":
            foreach (var t in targets) Console.WriteLine($"{t.Name,-18}{t.Description}");
            return 0;
        case "run" when args.Length >= 2:
            return Run(Select(args[1]), args[2..]);
        case "repro" when args.Length >= 3:
            return Repro(Select(args[1]).Single(), args[2..]);
        case "afl" when args.Length == 2:
        {
            // Coverage-guided mode: afl-fuzz runs this process (see docs/fuzzing.md); SharpFuzz reads each input from
            // afl and reports coverage of the instrumented Nabla assemblies. A documented rejection returns normally;
            // any other exception escapes and afl records a crash.
            var target = Select(args[1]).Single();
            SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                try
                {
                    target.Run(buffer.ToArray());
                }
                catch (Exception e) when (target.IsRejection(e) && e.Message.Contains(target.FileName, StringComparison.Ordinal))
                {
                }
            });
            return 0;
        }

        case "large" when args.Length == 2:
        {
            var fileTargets = Select(args[1]).OfType<FileTarget>().ToList();
            if (fileTargets.Count == 0) throw new ArgumentException($"large: '{args[1]}' is not a file target (the *-file targets, or all)");
            return LargeRunner.Run(LargeInputs.All, fileTargets, Console.Out) ? 0 : 1;
        }

        case "seeds" when args.Length == 3:
            foreach (var t in Select(args[1]))
            {
                var folder = Path.Combine(args[2], t.Name);
                Directory.CreateDirectory(folder);
                var seeds = t.Seeds();
                for (int i = 0; i < seeds.Count; i++) File.WriteAllBytes(Path.Combine(folder, $"seed-{i:D2}.bin"), seeds[i]);
                Console.WriteLine($"{t.Name}: {seeds.Count} seeds in {folder}");
            }

            return 0;
        default:
            Console.Error.WriteLine($"nabla-fuzz: unknown command '{string.Join(' ', args)}' (try --help)");
            return 2;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"nabla-fuzz: {e.Message}");
    return 2;
}

IReadOnlyList<FuzzTarget> Select(string name) =>
    name == "all" ? targets : [targets.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"no target '{name}' (targets: {string.Join(", ", targets.Select(t => t.Name))}, all)")];

// A bad option value ("--inputs abc") is an ArgumentException naming the option: one line and exit code 2.
static T Number<T>(string option, string value)
    where T : System.Numerics.INumber<T> =>
    T.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{option}: '{value}' is not a number");

int Run(IReadOnlyList<FuzzTarget> chosen, string[] options)
{
    var o = new FuzzOptions(Inputs: 100_000, CrashDirectory: DefaultCrashDirectory());
    for (int i = 0; i < options.Length; i++)
    {
        string value = i + 1 < options.Length ? options[i + 1] : throw new ArgumentException($"{options[i]} needs a value");
        o = options[i] switch
        {
            "--inputs" => o with { Inputs = Number<long>(options[i], value), Seconds = o.Seconds },
            "--seconds" => o with { Seconds = Number<double>(options[i], value), Inputs = options.Contains("--inputs") ? o.Inputs : null },
            "--seed" => o with { Seed = Number<int>(options[i], value) },
            "--timeout-ms" => o with { TimeoutMilliseconds = Number<int>(options[i], value) },
            "--max-len" => o with { MaxLength = Number<int>(options[i], value) },
            "--max-alloc-mb" => o with { MaxAllocatedMegabytes = Number<long>(options[i], value) },
            "--crashes" => o with { CrashDirectory = value },
            _ => throw new ArgumentException($"unknown option {options[i]}"),
        };
        i++;
    }

    Console.WriteLine($"nabla-fuzz run: seed {o.Seed}, {(o.Inputs is { } n ? $"{n:N0} inputs" : "no input limit")}, {(o.Seconds is { } s ? $"{s} s" : "no time limit")}, timeout {o.TimeoutMilliseconds} ms, crashes in {o.CrashDirectory}");
    var results = new List<FuzzResult>();
    foreach (var target in chosen)
    {
        Console.WriteLine(FuzzResult.HeaderLine);
        var result = new FuzzRunner(target, o, Console.Out).Run();
        results.Add(result);
        Console.WriteLine(result.Line);
        Console.Write(result.FindingsText());
    }

    Console.WriteLine();
    Console.WriteLine(FuzzResult.HeaderLine);
    foreach (var r in results) Console.WriteLine(r.Line);
    return results.All(r => r.Clean) ? 0 : 1;
}

int Repro(FuzzTarget target, string[] files)
{
    int failures = 0;
    foreach (var file in files)
    {
        var input = File.ReadAllBytes(file);
        try
        {
            target.Run(input);
            Console.WriteLine($"{file}: accepted");
        }
#pragma warning disable CA1031 // Reports whatever the reader threw.
        catch (Exception e)
#pragma warning restore CA1031
        {
            bool rejected = target.IsRejection(e) && e.Message.Contains(target.FileName, StringComparison.Ordinal);
            if (!rejected) failures++;
            Console.WriteLine($"{file}: {(rejected ? "rejected" : "CRASH")}: {(rejected ? e.Message : e.ToString())}");
        }
    }

    return failures == 0 ? 0 : 1;
}

static string DefaultCrashDirectory()
{
    for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
    {
        if (File.Exists(Path.Combine(d.FullName, "Nabla.slnx"))) return Path.Combine(d.FullName, "fuzz", "crashes");
    }

    return Path.Combine(Environment.CurrentDirectory, "fuzz-crashes");
}
