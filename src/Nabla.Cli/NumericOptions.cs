using System.CommandLine;
using System.Globalization;
using System.Numerics;
using Nabla.Data;

namespace Nabla.Cli;

/// <summary>Number options whose parse errors read well ("--lr: 'abc' is not a number") instead of naming .NET types.</summary>
internal static class NumericOptions
{
    /// <summary>A floating-point option; NaN and the infinities are refused alike (whether .NET parses their spelling
    /// or not), as "not a finite number".</summary>
    public static Option<double?> Double(string name, string description) =>
        Create<double>(name, description, NumberStyles.Float, "a finite number");

    public static Option<int?> Int(string name, string description) =>
        Create<int>(name, description, NumberStyles.AllowLeadingSign, "a whole number");

    private static Option<T?> Create<T>(string name, string description, NumberStyles styles, string what)
        where T : struct, INumberBase<T> => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (T.TryParse(text, styles, CultureInfo.InvariantCulture, out T value) && T.IsFinite(value)) return value;
            result.AddError($"{name}: '{SafeText.Quote(text)}' is not {what}");
            return null;
        },
    };
}
