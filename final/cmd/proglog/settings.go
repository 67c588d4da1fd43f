package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// envPrefix starts the name of every environment variable proglog reads:
// --data-dir is PROGLOG_DATA_DIR.
const envPrefix = "PROGLOG"

// configFileFlag names the flag (and PROGLOG_CONFIG_FILE) of the YAML file
// that a command's other settings may come from.
const configFileFlag = "config-file"

// loadSettings returns the settings of a command whose flags are flags.
// Each flag's value comes from, in this order of precedence:
//
//  1. the flag, if it was given on the command line;
//  2. the environment variable PROGLOG_ + the flag's name in upper case,
//     '-' replaced by '_' (--data-dir: PROGLOG_DATA_DIR);
//  3. the key of the flag's name in the YAML file named by --config-file
//     (or PROGLOG_CONFIG_FILE), if flags has that flag and it names one;
//  4. the flag's default.
//
// A key of the file that names no flag is an error, so that a typo does
// not pass silently for a default.
func loadSettings(flags *pflag.FlagSet) (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix(envPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if err := v.BindPFlags(flags); err != nil {
		return nil, fmt.Errorf("bind flags: %w", err)
	}
	if flags.Lookup(configFileFlag) == nil {
		return v, nil
	}
	file := v.GetString(configFileFlag)
	if file == "" {
		return v, nil
	}
	values, err := readConfigFile(file, flags)
	if err != nil {
		return nil, err
	}
	// Viper ranks what MergeConfigMap gives it below the flags that were
	// set and the environment, and above the flags' defaults.
	if err := v.MergeConfigMap(values); err != nil {
		return nil, fmt.Errorf("config file %s: %w", file, err)
	}
	return v, nil
}

// readConfigFile reads the YAML file, a mapping of flag names to values,
// and returns an error naming any key that is not a flag of flags.
func readConfigFile(file string, flags *pflag.FlagSet) (map[string]any, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("config file %s does not exist: fix --%s (or PROGLOG_CONFIG_FILE), or leave it out", file, configFileFlag)
	}
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	values := map[string]any{}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("config file %s is not a YAML mapping of flag names to values: %w", file, err)
	}
	for key := range values {
		if key == configFileFlag || flags.Lookup(key) == nil {
			return nil, fmt.Errorf("config file %s: %q is not a setting; the keys are the flag names without the dashes: %s", file, key, flagNames(flags))
		}
	}
	return values, nil
}

// flagNames lists the names of flags that a config file may set, sorted.
func flagNames(flags *pflag.FlagSet) string {
	var names []string
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Name != configFileFlag && f.Name != "help" {
			names = append(names, f.Name)
		}
	})
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// stringList returns the setting key as a list of strings. A flag gives
// one already (--start-join-addrs a,b or the flag repeated), and so does a
// YAML list; a single string, from the environment or the file, is split
// at its commas, which viper's GetStringSlice would not do (it splits at
// spaces).
func stringList(v *viper.Viper, key string) []string {
	raw, isString := v.Get(key).(string)
	if !isString {
		if list := v.GetStringSlice(key); len(list) > 0 {
			return list
		}
		return nil // no list, as with an empty string
	}
	var list []string
	for item := range strings.SplitSeq(raw, ",") {
		if item = strings.TrimSpace(item); item != "" {
			list = append(list, item)
		}
	}
	return list
}
