using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Nabla.Fuzz.Engine;

/// <summary>Runs one target: each seed once as it is, then mutants until the input count or the time is reached.
/// The pool that mutants are drawn from starts with the seeds and keeps mutants that were accepted (one in eight) or
/// were rejected for a reason not seen before, so that mutations pile up on inputs that reach further into the
/// reader (a cheap stand-in for coverage). Every input runs under a watchdog: one that runs longer than the timeout is
/// a hang, and one still running at 30 times the timeout is saved and ends the process with exit code 3.</summary>
internal sealed class FuzzRunner
{
    private const int PoolLimit = 1000;
    private const int SavedPerFinding = 3;
    private const int ReasonLimit = 100_000;

    private readonly FuzzTarget _target;
    private readonly FuzzOptions _options;
    private readonly TextWriter? _log;
    private readonly FuzzResult _result;
    private readonly HashSet<string> _reasons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _saved = new(StringComparer.Ordinal);

    // Shared with the watchdog: the input running and when it started (0: none).
    private byte[]? _current;
    private long _started;

    /// <summary>A runner of <paramref name="target"/>; progress and findings go to <paramref name="log"/> when given.</summary>
    public FuzzRunner(FuzzTarget target, FuzzOptions options, TextWriter? log = null)
    {
        _target = target;
        _options = options;
        _log = log;
        _result = new FuzzResult(target.Name);
    }

    /// <summary>Runs the campaign.</summary>
    public FuzzResult Run()
    {
        var random = new Random(_options.Seed);
        var mutator = new Mutator(random, _options.MaxLength);
        var seeds = _target.Seeds();
        var pool = new List<byte[]>(seeds);
        mutator.Pool = pool;
        _result.SeedCount = seeds.Count;

        using var done = new CancellationTokenSource();

        // An exception thrown inside a native callback (Skia reading a FileStream) cannot be caught and ends the
        // process: the input that was running is saved first, so that it can be replayed.
        void SaveOnProcessCrash(object? sender, UnhandledExceptionEventArgs e)
        {
            if (Volatile.Read(ref _current) is not { } input) return;
            var path = Save("process crash (an exception no catch could reach)", "process-crash", input, e.ExceptionObject as Exception);
            Console.Error.WriteLine($"{_target.Name}: the process is ending on an unhandled exception{(path is null ? "" : $"; the input is saved as {path}")}");
        }

        AppDomain.CurrentDomain.UnhandledException += SaveOnProcessCrash;
        var watchdog = new Thread(() => Watch(done.Token)) { IsBackground = true, Name = "fuzz watchdog" };
        watchdog.Start();
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var seed in seeds)
            {
                if (RunOne(seed) == Outcome.Accepted) _result.SeedsAccepted++;
            }

            var nextReport = TimeSpan.FromSeconds(10);
            while ((_options.Inputs is not { } n || _result.Inputs < n) && (_options.Seconds is not { } s || clock.Elapsed.TotalSeconds < s))
            {
                var parent = random.Next(10) < 3 ? seeds[random.Next(seeds.Count)] : pool[random.Next(pool.Count)];
                var input = _target.Mutate(parent, mutator);
                _result.Inputs++;
                var outcome = RunOne(input);
                if (outcome == Outcome.Accepted) _result.Accepted++;
                else if (outcome is Outcome.Rejected or Outcome.NewRejection) _result.Rejected++;

                if (outcome == Outcome.NewRejection || (outcome == Outcome.Accepted && random.Next(8) == 0))
                {
                    if (pool.Count < PoolLimit) pool.Add(input);
                    else pool[seeds.Count + random.Next(PoolLimit - seeds.Count)] = input;
                }

                if (_log is not null && clock.Elapsed > nextReport)
                {
                    _result.Seconds = clock.Elapsed.TotalSeconds;
                    _log.WriteLine(_result.Line);
                    nextReport += TimeSpan.FromSeconds(nextReport.TotalSeconds < 60 ? 10 : 60);
                }
            }
        }
        finally
        {
            done.Cancel();
            AppDomain.CurrentDomain.UnhandledException -= SaveOnProcessCrash;
        }

        _result.Seconds = clock.Elapsed.TotalSeconds;
        _result.DistinctRejections = _reasons.Count;
        return _result;
    }

    private enum Outcome
    {
        Accepted,
        Rejected,
        NewRejection,
        Finding,
    }

    private Outcome RunOne(byte[] input)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        Volatile.Write(ref _current, input);
        long started = Stopwatch.GetTimestamp();
        Volatile.Write(ref _started, started);
        Exception? error = null;
        try
        {
            _target.Run(input);
        }
#pragma warning disable CA1031 // Every exception is a result here: the documented one is a rejection, any other a crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = e;
        }
        finally
        {
            Volatile.Write(ref _started, 0);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        long megabytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) >> 20;
        if (elapsed.TotalMilliseconds > _options.TimeoutMilliseconds)
        {
            _result.Hangs++;
            Record($"hang: {elapsed.TotalMilliseconds:F0} ms (limit {_options.TimeoutMilliseconds} ms)", "hang", input, error);
            return Outcome.Finding;
        }

        if (megabytes > _options.MaxAllocatedMegabytes)
        {
            _result.LargeAllocations++;
            Record($"allocated {megabytes} MB (limit {_options.MaxAllocatedMegabytes} MB)", "alloc", input, error);
            return Outcome.Finding;
        }

        if (error is null) return Outcome.Accepted;
        if (!_target.IsRejection(error))
        {
            _result.Crashes++;
            Record($"{error.GetType().FullName} {TopFrame(error)}", "crash", input, error);
            return Outcome.Finding;
        }

        if (!error.Message.Contains(_target.FileName, StringComparison.Ordinal))
        {
            _result.Crashes++;
            Record($"rejection without the file name: {Reason(error.Message)}", "crash", input, error);
            return Outcome.Finding;
        }

        var reason = Reason(error.Message);
        return _reasons.Count < ReasonLimit && _reasons.Add(reason) ? Outcome.NewRejection : Outcome.Rejected;
    }

    /// <summary>The message with the file name and every digit blanked, cut to 120 characters.</summary>
    private string Reason(string message)
    {
        var text = new StringBuilder(Math.Min(message.Length, 120));
        foreach (char c in message.Replace(_target.FileName, "<file>", StringComparison.Ordinal))
        {
            if (text.Length == 120) break;
            if (char.IsAsciiDigit(c))
            {
                if (text.Length == 0 || text[^1] != '#') text.Append('#');
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static string TopFrame(Exception e)
    {
        var frame = e.StackTrace?.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault(l => l.Length > 0) ?? "(no stack)";
        int file = frame.IndexOf(" in ", StringComparison.Ordinal);
        return file > 0 ? frame[..file] : frame;
    }

    private void Record(string kind, string prefix, byte[] input, Exception? error)
    {
        string? path = Save(kind, prefix, input, error);
        string example = path ?? Convert.ToHexString(SHA256.HashData(input).AsSpan(0, 8)).ToLowerInvariant();
        _result.Findings[kind] = _result.Findings.TryGetValue(kind, out var f) ? (f.Count + 1, f.Example) : (1, example);
        if (_result.Findings[kind].Count == 1) _log?.WriteLine($"{_target.Name}: {kind}{(path is null ? "" : $" -> {path}")}");
    }

    private string? Save(string kind, string prefix, byte[] input, Exception? error)
    {
        if (_options.CrashDirectory is null) return null;
        int saved = _saved.GetValueOrDefault(kind);
        if (saved >= SavedPerFinding) return null;
        _saved[kind] = saved + 1;
        var directory = Path.Combine(_options.CrashDirectory, _target.Name);
        Directory.CreateDirectory(directory);
        var hash = Convert.ToHexString(SHA256.HashData(input).AsSpan(0, 8)).ToLowerInvariant();
        var path = Path.Combine(directory, $"{(prefix == "crash" ? "" : prefix + "-")}{hash}.bin");
        File.WriteAllBytes(path, input);
        File.WriteAllText(Path.ChangeExtension(path, ".txt"), $"{kind}{Environment.NewLine}{error}{Environment.NewLine}");
        return path;
    }

    private void Watch(CancellationToken done)
    {
        long flagged = 0;
        while (!done.IsCancellationRequested)
        {
            Thread.Sleep(50);
            long started = Volatile.Read(ref _started);
            if (started == 0) continue;
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed.TotalMilliseconds > _options.TimeoutMilliseconds && flagged != started)
            {
                flagged = started;
                _log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_target.Name}: an input has run for {elapsed.TotalMilliseconds:F0} ms"));
            }

            if (elapsed.TotalMilliseconds > 30.0 * _options.TimeoutMilliseconds && Volatile.Read(ref _current) is { } input)
            {
                var path = Save("hang (never ended)", "hang", input, null);
                Console.Error.WriteLine($"{_target.Name}: an input ran for {elapsed.TotalSeconds:F0} s without ending{(path is null ? "" : $"; saved as {path}")}; stopping");
                Environment.Exit(3);
            }
        }
    }
}
