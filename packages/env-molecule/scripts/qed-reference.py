#!/usr/bin/env python3
"""Reference QED values for the tests of @gflownet/env-molecule, from RDKit's Python QED module.

Run with Debian's python3-rdkit (apt install python3-rdkit):
    /usr/bin/python3 scripts/qed-reference.py > test-data/qed-reference.json

Molecules: common drugs, plus molecules derived from them at random (atoms deleted, bonds
changed) that still sanitize, so that unusual valences, charges and ring systems are covered.
"""
import json
import random
import sys

from rdkit import Chem, RDLogger, rdBase
from rdkit.Chem import QED

RDLogger.DisableLog('rdApp.*')

DRUGS = [
    'CC(=O)Oc1ccccc1C(=O)O',  # aspirin
    'CC(=O)Nc1ccc(O)cc1',  # paracetamol
    'CC(C)Cc1ccc(cc1)C(C)C(=O)O',  # ibuprofen
    'CN1C=NC2=C1C(=O)N(C(=O)N2C)C',  # caffeine
    'CN1CCC[C@H]1c1cccnc1',  # nicotine
    'COc1ccc2[nH]cc(CCN(C)C)c2c1',  # 5-MeO-DMT
    'CN(C)CCCN1c2ccccc2CCc2ccccc21',  # imipramine
    'Clc1ccc(cc1)C(c1ccccc1)N1CCN(CC1)CCOCC(=O)O',  # cetirizine
    'CC(C)NCC(O)COc1cccc2ccccc12',  # propranolol
    'CN1C(=O)CN=C(c2ccccc2)c2cc(Cl)ccc12',  # diazepam
    'OC(=O)CCCc1ccc(cc1)N(CCCl)CCCl',  # chlorambucil
    'CCN(CC)CC(=O)Nc1c(C)cccc1C',  # lidocaine
    'CC12CCC3C(CCC4=CC(=O)CCC34C)C1CCC2O',  # testosterone
    'O=C(O)c1ccccc1O',  # salicylic acid
    'CC(C)(C)NCC(O)c1ccc(O)c(CO)c1',  # salbutamol
    'COc1ccc(cc1)C(=O)c1ccccc1',  # methoxybenzophenone
    'NS(=O)(=O)c1cc(C(=O)O)c(NCc2ccco2)cc1Cl',  # furosemide
    'CN1CCN(CC1)C1=Nc2cc(Cl)ccc2Nc2ccccc21',  # clozapine
    'Cc1onc(c1C(=O)NC1C2SC(C)(C)C(N2C1=O)C(=O)O)-c1ccccc1',  # oxacillin
    'CC1(C)SC2C(NC(=O)Cc3ccccc3)C(=O)N2C1C(=O)O',  # penicillin G
    'NC(=O)c1cccnc1',  # nicotinamide
    'OCC1OC(O)C(O)C(O)C1O',  # glucose
    'CCOC(=O)C1=C(C)NC(C)=C(C1c1cccc(c1)[N+](=O)[O-])C(=O)OC',  # nitrendipine
    'COC(=O)C1=C(C)NC(C)=C(C1c1ccccc1[N+](=O)[O-])C(=O)OC',  # nifedipine
    'CC(=O)OCC(=O)C1(O)CCC2C3CCC4=CC(=O)C=CC4(C)C3C(O)CC21C',  # prednisolone acetate
    'Cn1c(=O)c2c(ncn2C)n(C)c1=O',  # caffeine (aromatic form)
    'c1ccc2c(c1)ccc1ccccc12',  # phenanthrene
    'c1ccc2cc3ccccc3cc2c1',  # anthracene
    'C1CCCCC1',  # cyclohexane
    'CCO',  # ethanol
    'C',  # methane
    'O',  # water
    'N#N',  # nitrogen
    'CS(C)=O',  # DMSO
    'O=[N+]([O-])c1ccc(cc1)S(=O)(=O)Cl',  # nitrobenzenesulfonyl chloride
    'N=C(CCSCc1csc(N=C(N)N)n1)NS(N)(=O)=O',  # famotidine
    'CNC(=NCCSCc1nc[nH]c1C)NC#N',  # cimetidine
    'CCCCCNC(=N)NN=Cc1c[nH]c2ccc(CO)cc12',  # from the QED paper
    'CC(C)Cc1ccc(cc1)C(C)C(=O)OCC[N+](C)(C)C',  # a quaternary ammonium ester
    'O=C1NC(=O)C(N1)(c1ccccc1)c1ccccc1',  # phenytoin
    'CC(=O)NC1C(O)OC(CO)C(O)C1O',  # N-acetylglucosamine
    'Nc1ccc(cc1)S(=O)(=O)Nc1ccccn1',  # sulfapyridine
    'Oc1ccc(cc1)/C=C/c1cc(O)cc(O)c1',  # resveratrol
    'CC(C)C[C@H](NC(=O)[C@@H](Cc1ccccc1)NC(=O)c1cnccn1)B(O)O',  # bortezomib
    'COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1',  # gefitinib
    'Cc1ccc(NC(=O)c2ccc(CN3CCN(C)CC3)cc2)cc1Nc1nccc(n1)-c1cccnc1',  # imatinib
    'CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1',  # fentanyl
    'CN1CC[C@]23c4c5ccc(O)c4O[C@H]2[C@@H](O)C=C[C@H]3[C@H]1C5',  # morphine
    'OC(=O)C[C@H](CC(C)C)CN',  # pregabalin
    'NCCc1ccc(O)c(O)c1',  # dopamine
    'C[C@H](N)Cc1ccccc1',  # amphetamine
    'O=C(O)CC(O)(CC(=O)O)C(=O)O',  # citric acid
    'CC(C)(C)c1ccc(O)cc1',  # 4-tert-butylphenol
    'FC(F)(F)c1ccc(OC(CCNC)c2ccccc2)cc1',  # fluoxetine
    'CN1CCC(CC1)=C1c2ccccc2C=Cc2ccccc12',  # cyproheptadine
    'OC(c1ccccc1)(c1ccccc1)C1CCNCC1',  # azacyclonol
    'S=C=Nc1ccccc1',  # phenyl isothiocyanate
    'O=C(Cl)c1ccccc1',  # benzoyl chloride
    'C=CC(=O)OC',  # methyl acrylate
    'OO',  # hydrogen peroxide
    'CC#N',  # acetonitrile
    'ClCCl',  # dichloromethane
    'c1ccncc1',  # pyridine
    'c1cc[nH]c1',  # pyrrole
    'c1ccoc1',  # furan
    'c1ccsc1',  # thiophene
    'O=C1CCCN1',  # pyrrolidone
    'C1CC2CCC1C2',  # norbornane
    'C1CC11CC1',  # spiropentane
    '[NH4+]',  # ammonium
    'CC(=O)[O-].[Na+]',  # sodium acetate (two fragments)
    'O=S(=O)(O)O',  # sulfuric acid
    'OP(=O)(O)O',  # phosphoric acid
    'Brc1ccccc1I',  # bromoiodobenzene
    'CC(=O)SC',  # thioester
    'N=[N+]=[N-]',  # hydrazoic acid
    'C1=CC=CC=CC=C1',  # cyclooctatetraene
    'O=C=O',  # carbon dioxide
]


def standard_valences(mol):
    """Uncharged atoms at one of their element's usual valences (newer RDKit versions reject
    some hypervalent forms that older ones accept)."""
    table = Chem.GetPeriodicTable()
    for atom in mol.GetAtoms():
        valence = atom.GetTotalValence()
        if atom.GetFormalCharge() == 0 and (valence not in table.GetValenceList(atom.GetAtomicNum()) or valence > 6):
            return False
    return True


def variants(smiles_list, count, seed):
    rng = random.Random(seed)
    seen = set()
    out = []
    tries = 0
    while len(out) < count and tries < 100000:
        tries += 1
        base = Chem.MolFromSmiles(rng.choice(smiles_list))
        if base is None or base.GetNumAtoms() < 4:
            continue
        rw = Chem.RWMol(Chem.Mol(base))
        Chem.Kekulize(rw, clearAromaticFlags=True)
        for _ in range(rng.randint(1, 3)):
            kind = rng.random()
            if kind < 0.4 and rw.GetNumAtoms() > 3:
                rw.RemoveAtom(rng.randrange(rw.GetNumAtoms()))
            elif kind < 0.7 and rw.GetNumBonds() > 0:
                b = rw.GetBondWithIdx(rng.randrange(rw.GetNumBonds()))
                b.SetBondType(rng.choice([Chem.BondType.SINGLE, Chem.BondType.DOUBLE]))
            else:
                i = rw.AddAtom(Chem.Atom(rng.choice([6, 7, 8, 9, 16, 17])))
                rw.AddBond(rng.randrange(rw.GetNumAtoms() - 1), i, Chem.BondType.SINGLE)
        mol = rw.GetMol()
        try:
            Chem.SanitizeMol(mol)
        except Exception:
            continue
        if not standard_valences(mol):
            continue
        smi = Chem.MolToSmiles(mol)
        if '.' in smi or smi in seen or Chem.MolFromSmiles(smi) is None:
            continue
        seen.add(smi)
        out.append(smi)
    return out


def main():
    rows = []
    for smi in DRUGS + variants(DRUGS, 80, 7):
        mol = Chem.MolFromSmiles(smi)
        if mol is None:
            print(f'not parsed: {smi}', file=sys.stderr)
            continue
        p = QED.properties(mol)
        rows.append({
            'smiles': smi,
            'qed': QED.qed(mol),
            'properties': {k: float(v) for k, v in p._asdict().items()},
        })
    json.dump({'rdkit': rdBase.rdkitVersion, 'molecules': rows}, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
